# kubemock in a container: the API listens on all interfaces inside the container.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY server ./server
COPY clients ./clients
COPY openapi ./openapi
COPY proto ./proto
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:20-bookworm-slim
# openssl makes the cluster's CA (kube-root-ca.crt) and the --tls-self-signed certificates; the slim image lacks it
RUN apt-get update && apt-get install -y --no-install-recommends openssl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/openapi ./openapi
COPY --from=build /app/proto ./proto
COPY package.json ./
EXPOSE 8080 9090 1053/udp 1053/tcp
USER node
ENTRYPOINT ["node", "bin/kubemock.js", "serve", "--host", "0.0.0.0"]
