# bash completion for odm(1) and odmd(8), libodm's tools.
# Installed as .../bash-completion/completions/odm (and odmd, a link).

_odm_units()
{
	local root=${1:-} d
	for d in /etc/systemd/system /run/systemd/system \
		/usr/local/lib/systemd/system /lib/systemd/system \
		/usr/lib/systemd/system; do
		compgen -G "$root$d/*.service" 2>/dev/null
	done | sed 's|.*/||' | sort -u
}

_odm()
{
	local cur prev words cword verb root="" i
	_init_completion || return

	local verbs="run explain check status move release enable disable show cgroup help"
	if [ "$cword" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$verbs --help --version" -- "$cur"))
		return
	fi
	verb=${words[1]}
	for ((i = 2; i < cword; i++)); do
		[ "${words[i]}" = --root ] && root=${words[i + 1]}
	done
	case $verb in
	run)
		for ((i = 2; i < cword; i++)); do
			if [ "${words[i]}" = -- ]; then
				_command_offset $((i + 1))
				return
			fi
		done
		case $prev in
		-p | --policy) _filedir conf; return ;;
		esac
		COMPREPLY=($(compgen -W "-v -p --policy --cgroup --" -- "$cur"))
		;;
	explain)
		case $prev in
		--program) _filedir; return ;;
		esac
		COMPREPLY=($(compgen -W "--program tcp udp client server" -- "$cur"))
		;;
	check)
		COMPREPLY=($(compgen -W "-q" -- "$cur"))
		_filedir conf
		COMPREPLY+=($(compgen -d -- "$cur"))
		;;
	status) COMPREPLY=($(compgen -W "--json" -- "$cur")) ;;
	release)
		COMPREPLY=($(compgen -W "$(odm status 2>/dev/null |
			awk 'NR > 1 && $1 ~ /:/ { print $1 }')" -- "$cur"))
		;;
	enable | disable | show)
		case $prev in
		--root) _filedir -d; return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--root $([ "$verb" = enable ] && echo --cgroup)" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_odm_units "$root")" -- "$cur"))
		fi
		;;
	cgroup)
		COMPREPLY=($(compgen -W "--detach" -- "$cur"))
		COMPREPLY+=($(compgen -c -- "$cur"))
		;;
	help) COMPREPLY=($(compgen -W "$verbs" -- "$cur")) ;;
	esac
}
complete -F _odm odm

_odmd()
{
	local cur prev words cword
	_init_completion || return
	case $prev in
	-c) _filedir conf; return ;;
	esac
	COMPREPLY=($(compgen -W "-c -d -f -v -n -h -V --help --version" -- "$cur"))
}
complete -F _odmd odmd
