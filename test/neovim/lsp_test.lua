-- A third-party LSP client against `microvm-net-lsp --stdio`: headless Neovim 0.7+ with its
-- built-in client (vim.lsp.start_client + buf_attach_client), no plugins, no config.
--
-- Run by scripts/e2e/run-neovim.mjs, which sets:
--   MICROVM_NET_NODE        node executable
--   MICROVM_NET_LSP         bin/microvm-net-lsp.js
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

local function run_fixture(fx)
  local root = vim.env.MICROVM_NET_NVIM_WS .. '/' .. fx.name
  local path = root .. '/' .. fx.file
  local uri = vim.uri_from_fname(path)
  out('# ' .. fx.name .. ' (' .. path .. ')')

  local server_log = {}
  local client_id = vim.lsp.start_client({
    name = 'microvm-net',
    cmd = { vim.env.MICROVM_NET_NODE or 'node', vim.env.MICROVM_NET_LSP, '--stdio' },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = fx.name } },
    handlers = {
      ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
        published[result.uri] = result.diagnostics
        return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
      end,
      ['window/logMessage'] = function(_, result)
        server_log[#server_log + 1] = result.message
      end,
    },
  })
  if not check(client_id ~= nil, 'start_client') then return end
  local client = vim.lsp.get_client_by_id(client_id)

  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  check(vim.lsp.buf_attach_client(bufnr, client_id), 'buf_attach_client')
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
  check(contains(text, 'tap `' .. fx.tap .. '`') and contains(text, 'not bridged'), 'hover: tap ' .. fx.tap .. ' not bridged', text)
  check(contains(text, '`' .. bridge .. '`'), 'hover names bridge ' .. bridge, text)

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
  local expected_title = 'Add `' .. fx.tap .. '` to Name= of ' .. fx.unit .. ' (bridge ' .. fx.bridge .. ')'
  check(preferred ~= nil and preferred.title == expected_title, 'preferred: ' .. expected_title, listing)
  local all_named, all_tied = true, true
  for _, a in ipairs(actions) do
    if not contains(a.title, fx.bridge) then all_named = false end
    if a.kind ~= 'quickfix' or not a.diagnostics or not a.diagnostics[1] or a.diagnostics[1].code ~= 'tap-without-bridge' then all_tied = false end
  end
  check(all_named, 'every title names the bridge ' .. fx.bridge, listing)
  check(all_tied, 'every action is a quickfix answering tap-without-bridge', vim.inspect(actions))

  -- Apply the preferred fix like a user would, then the warning goes away.
  if preferred and preferred.edit then
    vim.lsp.util.apply_workspace_edit(preferred.edit, client.offset_encoding or 'utf-16')
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(b) and vim.startswith(vim.api.nvim_buf_get_name(b), root) then
        vim.lsp.buf_attach_client(b, client_id)
      end
    end
    local cleared = vim.wait(TIMEOUT, function() return ours() == nil end, 50)
    check(cleared, 'applying the preferred fix clears tap-without-bridge', vim.inspect(published[uri]))
    local after = client.request_sync('textDocument/hover', { textDocument = { uri = uri }, position = pos }, TIMEOUT, bufnr)
    local after_text = hover_text(after and after.result)
    check(contains(after_text, 'bridged to `' .. fx.bridge .. '`'), 'hover after the fix: bridged to ' .. fx.bridge, after_text)
  else
    check(false, 'the preferred fix carries an edit', vim.inspect(preferred))
  end

  vim.lsp.stop_client(client_id)
  local stopped = vim.wait(10000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
  check(stopped, 'server shut down')
  vim.cmd('silent! %bwipeout!')
end

local ok, err = xpcall(function()
  if BREAK then out('MICROVM_NET_E2E_BREAK=1: one expectation is deliberately wrong') end
  for _, fx in ipairs(FIXTURES) do run_fixture(fx) end
end, debug.traceback)
if not ok then check(false, 'no Lua error', err) end
finish()
