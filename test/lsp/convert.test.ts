/** URI and snippet conversions of the LSP layer (no server process). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { pathToUri, plainText, snippetToPlain, UriMap, uriToPath } from '../../server/src/lsp/convert';

test('pathToUri encodes like VS Code and round-trips through uriToPath', () => {
  assert.equal(pathToUri('/home/me/my vms/a#b?.nix'), 'file:///home/me/my%20vms/a%23b%3F.nix');
  assert.equal(pathToUri("/x/it's (1)!*.nix"), 'file:///x/it%27s%20%281%29%21%2A.nix');
  assert.equal(pathToUri('/ü/日本/😀.network'), 'file:///%C3%BC/%E6%97%A5%E6%9C%AC/%F0%9F%98%80.network');
  assert.equal(pathToUri('/a/b-c_d.e~f'), 'file:///a/b-c_d.e~f');
  assert.equal(pathToUri('C:\\Users\\me\\x.nix'), 'file:///c%3A/Users/me/x.nix');
  if (process.platform !== 'win32') assert.equal(pathToUri('/a\\b.nix'), 'file:///a%5Cb.nix');
  for (const p of ['/home/me/my vms/a#b?.nix', '/ü/日本/😀.network', '/a/%41/b', '/a\\b']) {
    assert.equal(uriToPath(pathToUri(p)), p);
    assert.equal(uriToPath(pathToFileURL(p).href), p, 'Node-encoded URIs decode too');
  }
  assert.equal(uriToPath('untitled:Untitled-1'), null);
  assert.equal(uriToPath('file:///a/%2Fb'), null, 'an encoded slash is no path');
});

test('UriMap answers with the spelling the client used', () => {
  const uris = new UriMap();
  const clientUri = 'file:///home/me/a%3ab.nix';
  const file = uris.remember(clientUri);
  assert.equal(file, '/home/me/a:b.nix');
  assert.equal(uris.uri(file!), clientUri);
  uris.forget(file!);
  assert.equal(uris.uri(file!), 'file:///home/me/a%3Ab.nix');
});

test('snippetToPlain keeps placeholder defaults and drops tab stops', () => {
  assert.equal(snippetToPlain('Name=${1:vm-*}\nBridge=${2:br0}$0'), 'Name=vm-*\nBridge=br0');
  assert.equal(snippetToPlain('a ${1:outer ${2:inner}} b'), 'a outer inner b');
  assert.equal(snippetToPlain('${1|br0,br1|} $TM_FILENAME ${TM_X:dflt}'), 'br0  dflt');
  assert.equal(snippetToPlain('"\\${name}" \\} \\\\ $'), '"${name}" } \\ $');
  assert.equal(snippetToPlain('${1:a\\}b}'), 'a}b');
});

test('plain text for the Problems panel and menus: code spans become quoted names, no literal backticks', () => {
  assert.equal(plainText('tap `my-microvm` matches no unit; `10-uplink.network` sets `Bridge=brprim4`'), "tap 'my-microvm' matches no unit; '10-uplink.network' sets 'Bridge=brprim4'");
  assert.equal(plainText('a name with a backtick: `a\\`b`'), "a name with a backtick: 'a`b'");
  assert.equal(plainText('no spans here'), 'no spans here');
  assert.doesNotMatch(plainText('unbalanced ` tick'), /`/);
});
