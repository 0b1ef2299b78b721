# Shell functions the bench scripts share; source it after setting ME, the
# script's name for messages.

# wait_port ADDR waits up to 10 s for a listener on ADDR (host:port), else
# exits.
wait_port() { for _ in $(seq 100); do (echo >"/dev/tcp/${1%:*}/${1#*:}") 2>/dev/null && return; sleep 0.1; done; echo "$ME: nothing on $1" >&2; exit 1; }

# nginx_temp_paths DIR prints the lines of an nginx http block that keep
# its temporary files in DIR, where an unprivileged nginx can write.
nginx_temp_paths() {
	local d="$1" k
	for k in client_body:body proxy:proxy fastcgi:fastcgi uwsgi:uwsgi scgi:scgi; do
		printf '    %s_temp_path %s/%s;\n' "${k%%:*}" "$d" "${k#*:}"
	done
}
