# missing_tool.cmake: stands in for a test whose tool was not found, so the
# test run fails and says why instead of quietly running without it.
# Run as: cmake -DWHAT=name -DWHY=text -P missing_tool.cmake
message(FATAL_ERROR "${WHAT} is missing, so this test cannot run: ${WHY}")
