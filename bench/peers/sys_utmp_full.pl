# Full decode with Perl's Sys::Utmp (glibc getutent underneath): every field it offers, of every record.
#   perl sys_utmp_full.pl FILE
use strict;
use warnings;
use Sys::Utmp;

my $utmp = Sys::Utmp->new(Filename => $ARGV[0]);
my ($records, $check) = (0, 0);
while (my $u = $utmp->getutent()) {
  $records++;
  $check += length($u->ut_user) + length($u->ut_id) + length($u->ut_line) + $u->ut_pid + $u->ut_type
    + length($u->ut_host) + $u->ut_time;
}
$utmp->endutent;
print "{\"records\": $records, \"check\": $check}\n";
