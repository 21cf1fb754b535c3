"""The taxonomy's decided boundary cases, one test each."""

from __future__ import annotations

from classifier import classify
from tests.classifier.helpers import props, tool


def test_action_enum_takes_the_most_severe_action():
    schema = props(action={"type": "string", "enum": ["list", "create", "update", "delete"]})
    label = classify(tool("manage_issues", "Manage issues in a project.", schema))
    assert label.category == "Destructive"
    (enum_evidence,) = [e for e in label.evidence if e.field.endswith(".enum")]
    assert enum_evidence.field == "inputSchema.properties.action.enum"
    assert enum_evidence.text == "delete"
    without_delete = props(action={"type": "string", "enum": ["list", "create", "update"]})
    assert classify(tool("manage_issues", "Manage issues.", without_delete)).category == "Write"


def test_nested_operation_enum_counts():
    schema = props(
        ops={
            "type": "array",
            "items": props(operation={"type": "string", "enum": ["get", "put", "drop"]}),
        }
    )
    label = classify(tool("batch", "Apply several operations to the store.", schema))
    assert label.category == "Destructive"
    assert any(
        e.field == "inputSchema.properties.ops.items.properties.operation.enum"
        for e in label.evidence
    )


def test_reading_money_is_read_moving_it_is_financial():
    assert classify(tool("get_balance", "Get the current account balance.")).category == "Read"
    assert classify(tool("list_invoices", "List invoices for a customer.")).category == "Read"
    assert classify(tool("get_price_quote", "Quote the price of a swap.")).category == "Read"
    assert (
        classify(tool("create_invoice", "Create an invoice for a customer.")).category
        == "Financial"
    )
    assert classify(tool("transfer_funds", "Transfer money to a payee.")).category == "Financial"


def test_sql_read_only_vs_execute_vs_drop():
    read = classify(tool("query", "Run a read-only SQL query", props(sql={"type": "string"})))
    assert read.category == "Read"
    assert any(e.text == "read-only" for e in read.evidence)
    execute = classify(tool("execute_sql", "Execute SQL against the database."))
    assert execute.category == "Execute"
    drop = classify(tool("drop_table", "Drop a table."))
    assert drop.category == "Destructive"


def test_overwrite_is_destructive_create_or_append_is_write():
    over = classify(
        tool("write_file", "Create a new file or completely overwrite an existing file.")
    )
    assert over.category == "Destructive"
    assert any(e.text == "overwrite" and e.field == "description" for e in over.evidence)
    create = classify(tool("create_file", "Create a new file. Fails if the file exists."))
    assert create.category == "Write"
    append = classify(tool("append_file", "Append text to the end of a file."))
    assert append.category == "Write"
    refuse = classify(
        tool("create_note", "Create a new note. Refuses to overwrite an existing note.")
    )
    assert refuse.category == "Write"


def test_sending_messages_is_write_with_raised_risk():
    label = classify(
        tool("send_email", "Send an email to a recipient.", props(to={"type": "string"}))
    )
    assert (label.category, label.risk) == ("Write", "high")
    assert "messages to people outside the caller" in label.rationale
    assert "open_world" in label.flags
    post = classify(tool("slack_post_message", "Post a message to a Slack channel."))
    assert (post.category, post.risk) == ("Write", "high")
    note = classify(tool("create_note", "Create a note in the vault."))
    assert (note.category, note.risk) == ("Write", "medium")


def test_calculators_and_think_are_read():
    think = tool(
        "think",
        "Use the tool to think about something. It will not obtain new information or change "
        "the database, but just append the thought to the log.",
        props(thought={"type": "string"}),
    )
    assert classify(think).category == "Read"
    calc = classify(tool("calculate", "Evaluate a mathematical expression like 2*(3+4)."))
    assert (calc.category, calc.risk) == ("Read", "low")


def test_generative_media_is_execute():
    for name, desc in [
        ("generate_image", "Generate an image from a prompt."),
        ("text_to_speech", "Convert text to spoken audio with a chosen voice."),
        ("sora_generate_video", "Create a video from a prompt."),
        ("remove_background", "Remove the background from an image."),
    ]:
        label = classify(tool(name, desc))
        assert label.category == "Execute", (name, label.rationale)
        assert "generative model" in label.rationale
    # Uploading an image or listing models is not generation.
    assert classify(tool("upload_image", "Upload an image to storage.")).category == "Write"
    assert classify(tool("list_models", "List image generation models.")).category == "Read"


def test_browser_navigation_and_clicks_are_execute():
    assert classify(tool("puppeteer_navigate", "Navigate to a URL")).category == "Execute"
    assert classify(tool("browser_click", "Click an element on the page")).category == "Execute"
    assert classify(tool("fetch", "Fetch a URL and return markdown.")).category == "Read"


def test_read_only_hint_contradicted_by_definition():
    label = classify(
        tool("cleanup", "Deletes all temporary files.", annotations={"readOnlyHint": True})
    )
    assert label.category == "Destructive"
    assert "annotation_conflict" in label.flags
    assert "readOnlyHint=true annotation contradicts the definition" in label.rationale
    assert any(
        e.field == "annotations.readOnlyHint" and e.supports == "annotation_conflict"
        for e in label.evidence
    )


def test_destructive_hint_supports_destructive_unless_plainly_read():
    hinted = classify(
        tool("sync_folder", "Mirror a folder.", annotations={"destructiveHint": True})
    )
    assert hinted.category == "Destructive"
    assert hinted.flags == []
    reader = classify(
        tool("get_file", "Read a file and return it.", annotations={"destructiveHint": True})
    )
    assert reader.category == "Read"
    assert "annotation_conflict" in reader.flags


def test_destructive_hint_false_with_delete_is_flagged():
    label = classify(tool("delete_row", "Delete a row.", annotations={"destructiveHint": False}))
    assert label.category == "Destructive"
    assert "annotation_conflict" in label.flags


def test_consistent_annotations_raise_no_conflict():
    label = classify(tool("list_files", "List files.", annotations={"readOnlyHint": True}))
    assert label.category == "Read" and label.flags == []
