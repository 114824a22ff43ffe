# zoomlake in a container: `zoomlake run`, the whole local pipeline, with its data folder on a volume.
#
#   docker build -t zoomlake .
#   docker run -d --name zoomlake --restart on-failure \
#     --env-file zoomlake.env \
#     -v zoomlake-data:/data \
#     -v "$PWD/zoomlake.config.json:/etc/zoomlake/zoomlake.config.json:ro" \
#     -p 127.0.0.1:8080:8080 zoomlake
#   docker logs -f zoomlake                 # one line per request, poll, detection pass and alert
#   docker exec zoomlake zoomlake status    # owner, cursors, last runs, spool, alerts in the last day
#   docker stop zoomlake                    # SIGTERM: buffered events are written, exit 0
#
# zoomlake.env holds ZOOM_WEBHOOK_SECRET_TOKEN, ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET (see README).

FROM node:22-bookworm-slim

ENV NODE_ENV=production
WORKDIR /opt/zoomlake

# Dependencies first, so the layer is reused while only the code changes. tsx runs the TypeScript CLI as is.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
COPY bin ./bin
COPY lambdas ./lambdas
COPY lib ./lib
COPY queries ./queries
RUN ln -s /opt/zoomlake/bin/zoomlake.mjs /usr/local/bin/zoomlake \
  && install -d -o node -g node -m 0700 /data

# The unprivileged user of the base image; the data folder is the only place it writes.
USER node
VOLUME ["/data"]
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["node", "/opt/zoomlake/bin/zoomlake.mjs"]
CMD ["run", "--config", "/etc/zoomlake/zoomlake.config.json", "--dir", "/data", "--host", "0.0.0.0", "--port", "8080"]
