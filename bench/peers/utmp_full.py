# Full decode with Debian's python3-utmp (glibc getutent underneath): every field of every record read.
# Run with /usr/bin/python3 (the module lives in its dist-packages):  python3 utmp_full.py FILE
import sys
import utmp

records = 0
check = 0
for u in utmp.UtmpRecord(sys.argv[1]):
    records += 1
    check += u.ut_type + u.ut_pid + len(u.ut_line) + len(u.ut_id) + len(u.ut_user) + len(u.ut_host)
    check += u.ut_exit[0] + u.ut_exit[1] + u.ut_session + u.ut_tv[0] + u.ut_tv[1] + u.ut_addr_v6[0]
print('{"records": %d, "check": %d}' % (records, check))
