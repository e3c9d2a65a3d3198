# SPDX-License-Identifier: MIT
#
# Bash completion for the xenstore tools (xenstore <mode> and the
# xenstore-<mode> links): the options of each mode, and node paths read
# from the running daemon with xenstore-list (a path with children is
# offered with a trailing slash, to go on from there).  Installed as
# share/bash-completion/completions/xenstore, with a link per tool name.

_xenstore_options() {
	case $1 in
	read) echo "-h -p -s -R --help --prefix --raw --json" ;;
	write) echo "-h -s -R --help --raw" ;;
	rm) echo "-h -s -t --help --tidy" ;;
	exists) echo "-h -s --help" ;;
	list) echo "-h -p -s --help --prefix" ;;
	ls) echo "-h -f -p -s --help --flat --prefix --json" ;;
	chmod) echo "-h -u -r -s --help --upto --recurse" ;;
	watch) echo "-h -n -d --help --number --depth" ;;
	esac
}

# Paths below the directory part of $1 that start with $1.
_xenstore_paths() {
	local cur=$1 dir child cand
	case $cur in
	/*/*) dir=${cur%/*} ;;
	/*) dir=/ ;;
	*) COMPREPLY=(/); return ;;
	esac
	COMPREPLY=()
	while IFS= read -r child; do
		cand=${dir%/}/$child
		[[ $cand == "$cur"* ]] || continue
		if [[ -n $(xenstore-list "$cand" 2>/dev/null) ]]; then
			COMPREPLY+=("$cand/")
		else
			COMPREPLY+=("$cand")
		fi
	done < <(xenstore-list "$dir" 2>/dev/null)
	# Let the user go on below a directory without a space.
	[[ ${COMPREPLY[*]} == */ || ${#COMPREPLY[@]} -gt 1 ]] &&
		compopt -o nospace 2>/dev/null
	return 0
}

_xenstore_complete() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev mode first=1
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	mode=${COMP_WORDS[0]##*/}
	if [[ $mode == xenstore ]]; then
		if [[ $COMP_CWORD -eq 1 ]]; then
			COMPREPLY=($(compgen -W "read write rm exists list ls chmod watch" -- "$cur"))
			return 0
		fi
		mode=${COMP_WORDS[1]}
		first=2
	else
		mode=${mode#xenstore-}
	fi
	case $prev in
	-n | --number | -d | --depth) COMPREPLY=(); return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_xenstore_options "$mode")" -- "$cur"))
		return 0
	fi
	[[ $COMP_CWORD -ge $first ]] && _xenstore_paths "$cur"
	return 0
}

complete -F _xenstore_complete xenstore xenstore-read xenstore-write \
	xenstore-rm xenstore-exists xenstore-list xenstore-ls xenstore-chmod \
	xenstore-watch
