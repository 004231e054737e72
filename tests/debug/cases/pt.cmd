# Page walks: a user page, an unmapped page, a supervisor-only page -- then
# ring 3 reads the supervisor-only page and the CPU raises the #PF that pt
# predicted (error code 0x5: present, read, user).
break user_main
continue
pt user_text
pt hole_page
pt secret_page
pt user_stack
delete
break exception
continue
explain
print cr2
pt cr2
