# syntax=docker/dockerfile:1
# Multi-stage: compile with dev dependencies, ship production dependencies only.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY policies ./policies
# The unprivileged user of the official Node image.
USER node
EXPOSE 8790 8791
# Liveness from the admin listener; no shell or curl needed in the image.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8791/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 and handles SIGTERM itself: stop accepting, drain in-flight requests, exit.
ENTRYPOINT ["node", "--import", "./dist/instrumentation.js", "dist/cli.js"]
CMD ["serve", "--listen", "0.0.0.0:8790", "--admin-listen", "0.0.0.0:8791"]
