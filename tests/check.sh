# Shared by the shell tests (source it): `check NAME STATUS` counts one check (STATUS 0 = passed)
# and prints a FAIL line otherwise; `finish` prints "N passed, M failed" and fails if M > 0.
pass=0
fail=0
check() {
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi
}
finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
