# expect-log
# Broken clients lose their connection; everyone else is served, and
# nothing committed is lost.
1 write /keep me
> 1: OK
5 watch /keep w
> 5: OK
5 events
> 5: event /keep w
# a header announcing 5000 bytes of payload
2 raw 0b000000010000000000000088130000
2 expect-close
> 2: closed
# a READ whose path is not NUL-terminated
3 raw 02000000010000000000000003000000616263
3 expect-close
> 3: closed
# a header split across writes, then a valid request is fine
4 raw 02000000
4 raw 0700000000000000
4 raw 06000000 2f6b65657000
4 reply
> 4: me
# half a message, then the client goes away: nothing happens to others
6 raw 0b00000001000000
6 close
1 read /keep
> 1: me
1 write /keep again
> 1: OK
5 events
> 5: event /keep w
