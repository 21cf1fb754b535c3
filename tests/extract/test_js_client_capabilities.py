"""Tools registered only for clients that advertise a capability (roots, sampling, ...).

The default configuration is a client with no optional capability, so such
tools carry their condition and are off by default.
"""

from __future__ import annotations

from crawler.extract.javascript import JavaScriptExtractor
from crawler.files import PackageFiles

SERVER = """
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
const server = new McpServer({ name: 'caps', version: '1.0.0' });
server.registerTool('echo', { description: 'Echo the text back' }, async () => ({ content: [] }));
export const registerSamplingTool = (server) => {
    const clientCapabilities = server.server.getClientCapabilities() || {};
    const supportsSampling = clientCapabilities.sampling !== undefined;
    if (supportsSampling) {
        server.registerTool('ask_model', { description: 'Ask the client model' }, async () => ({}));
    }
};
registerSamplingTool(server);
"""


def test_capability_gated_tool_is_off_by_default_and_keeps_its_condition():
    package = PackageFiles(
        files={"package.json": b'{"main": "index.js"}', "index.js": SERVER.encode()}
    )
    tools = {t.name: t for t in JavaScriptExtractor().extract(package).tools}
    assert sorted(tools) == ["ask_model", "echo"]
    assert tools["echo"].condition is None
    assert tools["ask_model"].condition == "supportsSampling (off by default)"
