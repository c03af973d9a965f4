#!/usr/bin/env bash
# Makes sure the Postgres and Redis that tests and `pnpm start` use are up.
# Honours DATABASE_URL / REDIS_URL only for reporting; it starts local servers.
set -euo pipefail

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "starting Postgres"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
for _ in $(seq 1 60); do
  if pg_isready -h 127.0.0.1 -p 5432 -q && [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; then
    echo "Postgres and Redis answer"
    exit 0
  fi
  sleep 0.5
done
echo "Postgres or Redis did not come up on 127.0.0.1 (5432, 6379)" >&2
exit 1
