# SPDX-License-Identifier: GPL-2.0
# Runs `mprogsim SUBCOMMAND FILE [-o OUT]` on a bad trace and checks the contract
# for bad input: exit 2, nothing on stdout, exactly one line on stderr, and that
# line says where (contains EXPECT). For shrink, no output file may appear.
#
#   cmake -DMPROGSIM=... -DSUBCOMMAND=replay|shrink -DFILE=... -DEXPECT=... [-DOUT=...]
#         -P expect_bad_input.cmake
set(args ${SUBCOMMAND} ${FILE})
if(DEFINED OUT)
  file(REMOVE ${OUT})
  list(APPEND args -o ${OUT})
endif()
execute_process(COMMAND ${MPROGSIM} ${args}
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 2)
  message(FATAL_ERROR "exit ${code}, expected 2; stderr: ${err}")
endif()
if(NOT out STREQUAL "")
  message(FATAL_ERROR "stdout must be empty, got: ${out}")
endif()
string(REGEX MATCHALL "\n" newlines "${err}")
list(LENGTH newlines lines)
if(NOT lines EQUAL 1 OR NOT err MATCHES "\n$")
  message(FATAL_ERROR "stderr must be one line, got ${lines}: ${err}")
endif()
string(FIND "${err}" "${EXPECT}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "stderr does not say '${EXPECT}': ${err}")
endif()
if(DEFINED OUT AND EXISTS ${OUT})
  message(FATAL_ERROR "${OUT} was written for a bad input")
endif()
