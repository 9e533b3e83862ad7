# PBX control plane: one image for the API (default), the worker and the migrations.
#   docker build -t pbx-control-plane .
#   docker run ... pbx-control-plane                                   # API
#   docker run ... pbx-control-plane node dist/apps/worker/src/main.js  # worker
#   docker run ... pbx-control-plane node dist/libs/database/src/migrate.js
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The image's npm 10 accepts the lock file as written by npm 11 (which leaves out other
# platforms' optional binaries); do not upgrade npm here, npm 11's `npm ci` rejects it.
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY asterisk ./asterisk
COPY migrations ./migrations
COPY scripts ./scripts
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund --loglevel=error

FROM node:20-bookworm-slim
ENV NODE_ENV=production
# the worker encodes call recordings to MP3 with Debian's lame (mpg123 reads MP3s back: duration, checks);
# the recordings volume's folder belongs to the unprivileged user the apps run as
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends lame mpg123 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/pbx-recordings \
 && chown node:node /var/lib/pbx-recordings
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json /app/package-lock.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
# code owned by root, process runs unprivileged
USER node
EXPOSE 3000
CMD ["node", "dist/apps/api/src/main.js"]
