# tollgate image for distributed mode (compose.yaml). One image, one role per container:
#   command: ["gateway" | "ingest" | "replay", "--config", "/etc/tollgate/tollgate.yaml"]
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./
COPY --from=build /app/schemas ./schemas
COPY --from=build /app/replay-ui ./replay-ui
COPY --from=build /app/ingest/rules/builtin ./ingest/rules/builtin
COPY --from=build /app/bin ./bin
USER node
ENTRYPOINT ["node", "dist/services/cli/main.js"]
