# tests/vm/split.awk: split the output of a case script into files in dir
# (awk -v dir=DIR -f split.awk): "@@la-l1 ..." harness markers go to
# DIR/markers, each la-case block to DIR/NAME.out, NAME.err, NAME.status and
# NAME.seconds, everything else up to the exit marker to DIR/command.log.
/^@@la-l1 / { print > (dir "/markers"); if ($2 == "exit") ended = 1; next }
# after the command: the emulated host's own last words (where it shares
# one UART with the capture, aarch64), in console.log already
ended { next }
/^@@case [^ ]+ start$/ {
	name = $2
	printf "" > (dir "/" name ".out")
	printf "" > (dir "/" name ".err")
	next
}
/^@@case [^ ]+ status / {
	print $4 > (dir "/" $2 ".status")
	print $6 > (dir "/" $2 ".seconds")
	name = ""
	next
}
name != "" && /^o\|/ { print substr($0, 3) >> (dir "/" name ".out"); next }
name != "" && /^e\|/ { print substr($0, 3) >> (dir "/" name ".err"); next }
{ print > (dir "/command.log") }
