-- docs/lua.md runs: its ```lua blocks, in order, as one script (paths
-- relative to the repository's root), must not raise and their asserts must
-- hold. A block that stops working fails this test naming its line in the doc.
local T = require "testlib"

local src = os.getenv("FU_SOURCE_DIR") or "../.."
local f = assert(io.open(src .. "/docs/lua.md"))
local doc = f:read("a")
f:close()

-- The blocks, each preceded by blank lines so that the chunk's line numbers
-- are the doc's; paths "examples/..." become paths under the source tree.
local lines, inside, n = {}, false, 0
for line in (doc .. "\n"):gmatch("(.-)\n") do
  if line:match("^```lua%s*$") then
    inside, n = true, n + 1
    lines[#lines + 1] = ""
  elseif inside and line:match("^```%s*$") then
    inside = false
    lines[#lines + 1] = ""
  elseif inside then
    lines[#lines + 1] = (line:gsub('"examples/', '"' .. src .. '/examples/'))
  else
    lines[#lines + 1] = ""
  end
end

T.test("docs/lua.md has its examples", function() T.truthy(n >= 10, n .. " lua blocks") end)

T.test("every lua block of docs/lua.md runs", function()
  local chunk, err = load(table.concat(lines, "\n"), "@docs/lua.md")
  T.truthy(chunk, tostring(err))
  local ok, e = pcall(chunk)
  T.truthy(ok, tostring(e))
end)

T.done()
