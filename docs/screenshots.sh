#!/usr/bin/env bash
# Regenerates docs/img/terminal.png (tmux capture of the CLI, rendered by aha + headless Chromium)
# and docs/img/html.png (the HTML report rendered by headless Chromium). Needs: apt-get install -y tmux aha chromium
set -euo pipefail
cd "$(dirname "$0")/.."
chrome() {
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$(mktemp -d)" --hide-scrollbars "$@" 2>/dev/null
}
./lrp info >/dev/null  # build first
tmux kill-session -t lrpshot 2>/dev/null || true
tmux new-session -d -s lrpshot -x 110 -y 32
tmux send-keys -t lrpshot "PS1='$ '; clear" Enter
sleep 1
tmux send-keys -t lrpshot "COLORTERM=truecolor ./lrp explain --method lrp-ah-ln,gi \"the film is a charming, funny delight\"" Enter
sleep 25
tmux capture-pane -t lrpshot -e -p | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > docs/img/terminal.ans
tmux kill-session -t lrpshot
tmp=$(mktemp --suffix .html)
aha --black --title "lrp explain" < docs/img/terminal.ans \
  | sed 's/<pre>/<pre style="font-family: DejaVu Sans Mono, monospace; font-size: 15px; line-height: 1.3; padding: 12px;">/' > "$tmp"
chrome --window-size=1000,400 --screenshot=docs/img/terminal.png "file://$tmp"
./lrp explain --method lrp-ah-ln,gi,attnlrp,rollout --format html --out docs/example.html \
  "the film is a charming, funny delight" "a dull, lifeless and overlong mess , though the score is lovely"
chrome --window-size=1100,1300 --screenshot=docs/img/html.png "file://$PWD/docs/example.html"
# docs/img/serve.png and docs/img/serve-phone.png: the lrp serve page, taken by its Selenium test
mvn -q -B test -Dtest=ServePageBrowserTest -Dsurefire.failIfNoSpecifiedTests=false
cp target/serve-screenshots/serve-page.png docs/img/serve.png
cp target/serve-screenshots/serve-phone.png docs/img/serve-phone.png
