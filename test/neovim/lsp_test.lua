-- A third-party LSP client against `microvm-net-lsp --stdio`: headless Neovim 0.7+ with its
-- built-in client, no plugins, and as configuration exactly the README's "Neovim 0.7" snippet
-- (read from README.md between its neovim-0.7 markers and run as is), so the documented setup
-- is the tested one. Beyond diagnostics, hover and fixes: textDocument/inlayHint requested
-- directly (0.7 has no inlay hint support of its own), rename of a bridge, and explain through
-- workspace/executeCommand and through the snippet's :MicrovmExplain.
--
-- Run by scripts/e2e/run-neovim.mjs, which sets:
--   PATH                    with microvm-net-lsp (bin/microvm-net-lsp.js) and node on it
--   MICROVM_NET_README      README.md of the checkout
--   MICROVM_NET_NVIM_WS     folder holding fresh copies of the examples below
--   MICROVM_NET_E2E_BREAK   "1" flips one expectation (the bridge the hover must name)
-- Prints one line per check; exits 0 when all pass, 1 otherwise (cquit).

local FIXTURES = {
  {
    name = 'seed',
    file = 'hosts/hv/vms.nix',
    tap = 'my-microvm',
    line = 15, column = 18, -- 1-based, as in expected.json
    bridge = 'brprim4',
    unit = '10-uplink.network',
    related = 'network.nix',
  },
  {
    name = 'homelab',
    file = 'hosts/hypervisor/vms.nix',
    tap = 'tap-media',
    line = 55, column = 20,
    bridge = 'br0',
    unit = '20-lan.network',
    related = 'network.nix',
  },
}

local BREAK = vim.env.MICROVM_NET_E2E_BREAK == '1'
local TIMEOUT = 60000
local failures = 0
local checks = 0

local function out(s)
  io.stdout:write(s .. '\n')
  io.stdout:flush()
end

local function check(ok, what, detail)
  checks = checks + 1
  if ok then
    out('ok    ' .. what)
  else
    failures = failures + 1
    out('FAIL  ' .. what .. (detail and ('\n      ' .. tostring(detail):gsub('\n', '\n      ')) or ''))
  end
  return ok
end

local function contains(haystack, needle)
  return type(haystack) == 'string' and haystack:find(needle, 1, true) ~= nil
end

local function finish()
  out(string.format('%d checks, %d failed', checks, failures))
  if failures > 0 then vim.cmd('cquit 1') else vim.cmd('qall!') end
end

local function hover_text(result)
  if not result or not result.contents then return '' end
  local c = result.contents
  if type(c) == 'string' then return c end
  if c.value then return c.value end
  local parts = {}
  for _, item in ipairs(c) do parts[#parts + 1] = type(item) == 'string' and item or item.value end
  return table.concat(parts, '\n')
end

-- Latest publishDiagnostics per URI, as the server sent them (the raw LSP objects).
local published = {}

-- The README's snippet, as a user pastes it into init.lua (after their `filetype on`).
local function readme_snippet()
  local f = io.open(vim.env.MICROVM_NET_README, 'r')
  if not f then return nil end
  local text = f:read('*a')
  f:close()
  return text:match('<!%-%- neovim%-0%.7:start %-%->%s*```lua\n(.-)```%s*<!%-%- neovim%-0%.7:end %-%->')
end

local function our_client(bufnr)
  for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if c.name == 'microvm-net' then return c end
  end
end

local function hint_labels(client, bufnr, uri)
  local r = client.request_sync('textDocument/inlayHint', {
    textDocument = { uri = uri },
    range = { start = { line = 0, character = 0 }, ['end'] = { line = 100000, character = 0 } },
  }, TIMEOUT, bufnr)
  local labels = {}
  for _, h in ipairs((r and r.result) or {}) do labels[#labels + 1] = h.label end
  return table.concat(labels, ' | ')
end

local function attach_all(root, client_id)
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) and vim.startswith(vim.api.nvim_buf_get_name(b), root) then
      vim.lsp.buf_attach_client(b, client_id)
    end
  end
end

local function run_fixture(fx)
  local root = vim.env.MICROVM_NET_NVIM_WS .. '/' .. fx.name
  local path = root .. '/' .. fx.file
  local uri = vim.uri_from_fname(path)
  out('# ' .. fx.name .. ' (' .. path .. ')')

  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  check(vim.bo[bufnr].filetype == 'nix', 'filetype nix', vim.bo[bufnr].filetype)
  local client
  vim.wait(TIMEOUT, function() client = our_client(bufnr); return client ~= nil end, 50)
  if not check(client ~= nil, 'the README snippet started microvm-net-lsp and attached it') then return end
  local client_id = client.id
  check(client.config.root_dir == root, 'root is the folder holding flake.nix', client.config.root_dir)
  check(vim.wait(TIMEOUT, function() return client.initialized end, 50), 'initialized')

  -- Diagnostics
  local function ours()
    for _, d in ipairs(published[uri] or {}) do
      if d.code == 'tap-without-bridge' then return d end
    end
  end
  vim.wait(TIMEOUT, function() return ours() ~= nil end, 50)
  local d = ours()
  if not check(d ~= nil, 'tap-without-bridge published for ' .. fx.file, vim.inspect(published[uri])) then
    vim.lsp.stop_client(client_id)
    return
  end
  check(d.range.start.line == fx.line - 1 and d.range.start.character == fx.column - 1,
    string.format('diagnostic starts on the tap id at %d:%d', fx.line, fx.column), vim.inspect(d.range))
  local line = vim.api.nvim_buf_get_lines(bufnr, d.range.start.line, d.range.start.line + 1, false)[1] or ''
  check(line:sub(d.range.start.character + 1, d.range['end'].character) == '"' .. fx.tap .. '"',
    'diagnostic range covers "' .. fx.tap .. '"', line)
  check(d.severity == 2, 'severity is warning', d.severity)
  check(d.source == 'microvm-net', 'source is microvm-net', d.source)
  check(contains(d.message, fx.tap) and contains(d.message, fx.bridge), 'message names the tap and ' .. fx.bridge, d.message)
  check(d.relatedInformation and #d.relatedInformation > 0 and contains(d.relatedInformation[1].location.uri, fx.related),
    'related information points at ' .. fx.related, vim.inspect(d.relatedInformation))
  local vd = vim.diagnostic.get(bufnr)
  check(#vd >= 1 and vd[1].lnum == fx.line - 1 and vd[1].severity == vim.diagnostic.severity.WARN,
    'vim.diagnostic shows the warning on line ' .. fx.line, vim.inspect(vd))

  -- Hover
  local pos = { line = d.range.start.line, character = d.range.start.character + 2 }
  local hover = client.request_sync('textDocument/hover', { textDocument = { uri = uri }, position = pos }, TIMEOUT, bufnr)
  local text = hover_text(hover and hover.result)
  local bridge = BREAK and (fx.bridge .. '-broken-on-purpose') or fx.bridge
  check(contains(text, 'tap `' .. fx.tap .. '`') and contains(text, 'no bridge'), 'hover: tap ' .. fx.tap .. ' on no bridge', text)
  check(contains(text, '`' .. bridge .. '`'), 'hover names bridge ' .. bridge, text)

  -- Inlay hints, asked for directly: Neovim 0.7 does not display them.
  local labels = hint_labels(client, bufnr, uri)
  check(contains(labels, '→ no bridge'), 'inlay hint after the tap id: → no bridge', labels)

  -- Explain through workspace/executeCommand, then through the snippet's :MicrovmExplain.
  local ex = client.request_sync('workspace/executeCommand', { command = 'microvm-net.explainTap', arguments = { { tap = fx.tap } } }, TIMEOUT, bufnr)
  local ex_text = ex and ex.result and ex.result.taps and ex.result.taps[1] and ex.result.taps[1].text or ''
  check(contains(ex_text, 'tap ' .. fx.tap) and contains(ex_text, fx.unit .. ': does not match'),
    'explain (executeCommand): ' .. fx.unit .. ' does not match ' .. fx.tap, ex_text)
  vim.cmd('MicrovmExplain ' .. fx.tap)
  local explain_buf
  vim.wait(TIMEOUT, function()
    explain_buf = vim.fn.bufnr('microvm-net explain')
    return explain_buf ~= -1
  end, 50)
  local shown = explain_buf ~= -1 and table.concat(vim.api.nvim_buf_get_lines(explain_buf, 0, -1, false), '\n') or ''
  check(contains(shown, 'outcome: no bridge') and contains(shown, fx.unit), ':MicrovmExplain ' .. fx.tap .. ' shows the chain', shown)
  if explain_buf ~= -1 then vim.cmd('bwipeout! ' .. explain_buf) end
  vim.cmd('buffer ' .. bufnr)

  -- Code actions
  local actions = client.request_sync('textDocument/codeAction', {
    textDocument = { uri = uri },
    range = d.range,
    context = { diagnostics = { d } },
  }, TIMEOUT, bufnr)
  actions = (actions and actions.result) or {}
  local titles, preferred, seen, distinct = {}, nil, {}, true
  for _, a in ipairs(actions) do
    titles[#titles + 1] = a.title
    if seen[a.title] then distinct = false end
    seen[a.title] = true
    if a.isPreferred then preferred = a end
  end
  local listing = table.concat(titles, '\n')
  check(#actions >= 3 and distinct, 'at least three distinct quick fixes', listing)
  local expected_title = "Add '" .. fx.tap .. "' to Name= of " .. fx.unit .. ' (bridge ' .. fx.bridge .. ')'
  check(preferred ~= nil and preferred.title == expected_title, 'preferred: ' .. expected_title, listing)
  local all_named, all_tied = true, true
  for _, a in ipairs(actions) do
    -- The suppression comments ("Ignore ... here") come after the repairs and name the code instead.
    if not contains(a.title, fx.bridge) and a.title:sub(1, 7) ~= 'Ignore ' then all_named = false end
    if a.kind ~= 'quickfix' or not a.diagnostics or not a.diagnostics[1] or a.diagnostics[1].code ~= 'tap-without-bridge' then all_tied = false end
  end
  check(all_named, 'every title names the bridge ' .. fx.bridge, listing)
  check(all_tied, 'every action is a quickfix answering tap-without-bridge', vim.inspect(actions))

  -- Apply the preferred fix like a user would, then the warning goes away.
  if preferred and preferred.edit then
    vim.lsp.util.apply_workspace_edit(preferred.edit, client.offset_encoding or 'utf-16')
    attach_all(root, client_id)
    local cleared = vim.wait(TIMEOUT, function() return ours() == nil end, 50)
    check(cleared, 'applying the preferred fix clears tap-without-bridge', vim.inspect(published[uri]))
    local after = client.request_sync('textDocument/hover', { textDocument = { uri = uri }, position = pos }, TIMEOUT, bufnr)
    local after_text = hover_text(after and after.result)
    check(contains(after_text, 'bridged to `' .. fx.bridge .. '`'), 'hover after the fix: bridged to ' .. fx.bridge, after_text)
    check(contains(hint_labels(client, bufnr, uri), '→ ' .. fx.bridge), 'inlay hint after the fix: → ' .. fx.bridge, hint_labels(client, bufnr, uri))

    -- Rename the bridge from its netdev's Name, apply, and the tap follows it.
    local net_path = root .. '/' .. fx.file:gsub('vms%.nix$', 'network.nix')
    vim.cmd('edit ' .. vim.fn.fnameescape(net_path))
    local net_buf = vim.api.nvim_get_current_buf()
    vim.wait(TIMEOUT, function() return our_client(net_buf) ~= nil end, 50)
    local net_lines = vim.api.nvim_buf_get_lines(net_buf, 0, -1, false)
    local rpos
    for i, l in ipairs(net_lines) do
      local col = l:find('Name = "' .. fx.bridge .. '"', 1, true)
      if col then rpos = { line = i - 1, character = col + 8 }; break end
    end
    local net_uri = vim.uri_from_bufnr(net_buf)
    local prep = rpos and client.request_sync('textDocument/prepareRename', { textDocument = { uri = net_uri }, position = rpos }, TIMEOUT, net_buf)
    check(prep and prep.result and prep.result.placeholder == fx.bridge, 'prepareRename on the netdev Name: ' .. fx.bridge, vim.inspect(prep))
    local renamed = rpos and client.request_sync('textDocument/rename', { textDocument = { uri = net_uri }, position = rpos, newName = 'brnew0' }, TIMEOUT, net_buf)
    if check(renamed and renamed.result ~= nil, 'rename to brnew0 answers an edit', vim.inspect(renamed)) then
      vim.lsp.util.apply_workspace_edit(renamed.result, client.offset_encoding or 'utf-16')
      attach_all(root, client_id)
      local now = ''
      local followed = vim.wait(TIMEOUT, function()
        now = hint_labels(client, bufnr, uri)
        return contains(now, '→ brnew0')
      end, 100)
      check(followed and not contains(now, '→ ' .. fx.bridge .. ' ') , 'after the rename the tap is on brnew0 (re-analysed)', now)
    end
    vim.cmd('buffer ' .. bufnr)
  else
    check(false, 'the preferred fix carries an edit', vim.inspect(preferred))
  end

  vim.lsp.stop_client(client_id)
  local stopped = vim.wait(10000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
  check(stopped, 'server shut down')
  vim.cmd('silent! %bwipeout!')
end

local ok, err = xpcall(function()
  vim.cmd('filetype on')
  local snippet = readme_snippet()
  if not check(snippet ~= nil, 'README.md has the Neovim 0.7 snippet') then return end
  -- Record what the server publishes, then let Neovim show it as usual.
  local show = vim.lsp.handlers['textDocument/publishDiagnostics']
  vim.lsp.handlers['textDocument/publishDiagnostics'] = function(e, result, ctx, config)
    published[result.uri] = result.diagnostics
    return show(e, result, ctx, config)
  end
  local chunk, load_err = loadstring(snippet, 'README.md neovim-0.7 snippet')
  if not check(chunk ~= nil, 'the snippet loads', load_err) then return end
  chunk()
  if BREAK then out('MICROVM_NET_E2E_BREAK=1: one expectation is deliberately wrong') end
  for _, fx in ipairs(FIXTURES) do run_fixture(fx) end
end, debug.traceback)
if not ok then check(false, 'no Lua error', err) end
finish()
