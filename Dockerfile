# Switchyard in a container: built in one stage, run from a slim one as the unprivileged `node`
# user, with the database and the generated secret on the /data volume.
#
#   docker build -t switchyard .
#   docker run -p 3000:3000 -v switchyard-data:/data switchyard

ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles itself when no prebuilt binary matches the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1
# The Next.js build and the compiled server (npm run build), then only what runs: no dev
# dependencies, no build cache.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf .next/cache

FROM node:${NODE_VERSION}-bookworm-slim
WORKDIR /app
# HOSTNAME: Docker sets it to the container's id, which would bind the server to one interface only.
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOSTNAME=0.0.0.0 \
    DATABASE_PATH=/data/switchyard.db
COPY --from=build /app/package.json /app/next.config.ts ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/db/migrations ./db/migrations
# Applied at start instead when DATABASE_URL names a Postgres server.
COPY --from=build /app/db/migrations-pg ./db/migrations-pg
# Next.js may write to its own folder at run time; nothing else in /app is writable.
COPY --from=build --chown=node:node /app/.next ./.next
# 0700, like the folder the server creates itself when there is none (README, security notes).
RUN install -d -o node -g node -m 0700 /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# `npm start` without npm: the same node flags and entry (NODE_ENV is set above), and node as
# PID 1 gets `docker stop`'s SIGTERM itself, drains and writes the last usage rows.
CMD ["node", "--max-semi-space-size=64", "dist/server/main.js"]
