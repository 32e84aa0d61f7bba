#!/usr/bin/env bash
# `make dev`: the sandbox payment gateway and the shop (wrangler dev) side by side, stopped
# together. On a fresh local state the demo catalog is imported through the admin API, as a
# merchant would seed a deployed shop. Expects the worker built and PATH set by the Makefile.
set -euo pipefail

: "${DEV_PORT:=8787}" "${GATEWAY_PORT:=8788}" "${DEV_STATE:=.wrangler/state}"
: "${DEMO_CATALOG:=catalog/demo.json}"

set -a
# shellcheck disable=SC1091
. ./.dev.vars
set +a

target/debug/sandbox-gateway --port "$GATEWAY_PORT" \
	--webhook-url "http://127.0.0.1:$DEV_PORT/webhooks/payment" \
	--webhook-secret "$PAYMENT_WEBHOOK_SECRET" --secret-key "$PAYMENT_SECRET_KEY" \
	--email-token "${EMAIL_API_TOKEN:-}" &
gateway=$!
wrangler dev --ip 127.0.0.1 --port "$DEV_PORT" --persist-to "$DEV_STATE" &
shop=$!
trap 'kill $gateway $shop 2>/dev/null' EXIT INT TERM

base="http://127.0.0.1:$DEV_PORT"
auth="authorization: Bearer $ADMIN_TOKEN"
until curl -sf -o /dev/null "$base/robots.txt"; do
	sleep 0.5
	kill -0 "$shop" || exit 1
done
if [ "$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$base/admin/api/catalog/export")" = 404 ]; then
	curl -sf -H "$auth" --data-binary "@$DEMO_CATALOG" "$base/admin/api/catalog/import" && echo
fi
echo "shop: $base   sandbox payments: http://127.0.0.1:$GATEWAY_PORT  (card 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined)"
echo "admin token: $ADMIN_TOKEN"
echo "sent e-mails (receipts, on its way): http://127.0.0.1:$GATEWAY_PORT/_sandbox/outbox  (JSON: /_sandbox/emails)"
if [ -z "${EMAIL_API_TOKEN:-}" ]; then
	echo "note: .dev.vars has no EMAIL_API_TOKEN / EMAIL_API_BASE (it predates e-mails): copy them from .dev.vars.example"
fi
wait "$shop"
