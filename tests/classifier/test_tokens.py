from classifier.tokens import tokenize


def words(name: str) -> list[str]:
    return [t.text for t in tokenize(name)]


def test_separators_and_case_styles():
    assert words("sora_generate_video") == ["sora", "generate", "video"]
    assert words("API-delete-a-block") == ["api", "delete", "a", "block"]
    assert words("git_create_branch") == ["git", "create", "branch"]
    assert words("tools.list") == ["tools", "list"]
    assert words("getHTTPResponse") == ["get", "http", "response"]
    assert words("replaceAllText") == ["replace", "all", "text"]
    assert words("DEPLOY_TOKEN") == ["deploy", "token"]


def test_digits_and_non_ascii():
    assert words("v2Upload") == ["v", "2", "upload"]
    assert words("löschenDatei") == ["löschen", "datei"]
    assert words("") == []
    assert words("__--..") == []


def test_offsets_point_into_the_original():
    name = "azmcp-KeyVault-secret_get"
    for tok in tokenize(name):
        assert name[tok.start : tok.end].lower() == tok.text
    assert words(name) == ["azmcp", "key", "vault", "secret", "get"]
