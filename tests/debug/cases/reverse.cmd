# reverse-step and reverse-continue return to exactly the state first seen
# there: every register and all of RAM hash the same (checked by --equal).
break kmain
set snapshot-interval 50000
continue
info checksum
step 40
info checksum
reverse-step 40
info checksum
step 40
info checksum
delete
break vector 0x20
continue
info checksum
continue
info checksum
reverse-continue
info checksum
reverse-step
info checksum
step
info checksum
