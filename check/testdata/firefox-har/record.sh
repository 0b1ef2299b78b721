#!/bin/sh
# Records Firefox's own DevTools HAR (its netmonitor's HAR automation, the
# code behind "Save All As HAR") of servers.py's page. Needs firefox-esr,
# xvfb-run and /usr/bin/python3. Writes firefox-devtools.har here.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
profile=$work/profile
mkdir -p "$profile"
cat > "$profile/user.js" <<PREFS
user_pref("devtools.netmonitor.har.enableAutoExportToFile", true);
user_pref("devtools.netmonitor.har.defaultLogDir", "$work/har");
user_pref("devtools.netmonitor.har.defaultFileName", "page");
user_pref("devtools.netmonitor.har.includeResponseBodies", true);
user_pref("devtools.toolbox.selectedTool", "netmonitor");
user_pref("devtools.netmonitor.persistlog", false);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("browser.aboutwelcome.enabled", false);
user_pref("startup.homepage_welcome_url", "about:blank");
PREFS
mkfifo "$work/in"
/usr/bin/python3 "$here/servers.py" < "$work/in" > "$work/url" &
servers=$!
exec 3> "$work/in"
while [ ! -s "$work/url" ]; do sleep 0.1; done
url=$(head -1 "$work/url")
xvfb-run -a timeout 90 firefox-esr -profile "$profile" -no-remote -devtools "$url" > "$work/firefox.log" 2>&1 3>&- &
ff=$!
for i in $(seq 1 450); do
  f=$(ls "$work"/har/*.har 2>/dev/null | head -1 || true)
  [ -n "$f" ] && break
  sleep 0.2
done
sleep 1
kill "$ff" 2>/dev/null || true
echo "work dir: $work" >&2
exec 3>&-
wait "$servers" 2>/dev/null || true
if [ -z "$f" ]; then echo "no HAR written; firefox log:" >&2; cat "$work/firefox.log" >&2; exit 1; fi
cp "$f" "$here/firefox-devtools.har"
echo "$here/firefox-devtools.har"
