# syntax=docker/dockerfile:1
# Realmgate production image: build with the lockfile, run `node dist/main.js`
# as a non-root user. test/extending/production-build.test.ts runs this file's
# build-stage RUN commands in a clean copy of the repository and starts the result.
#   docker build -t realmgate .
#   docker run -e DATABASE_URL=... -e SESSION_SECRET=... -e API_KEY_PEPPER=... -e ENCRYPTION_KEY=... -e JWT_SECRET=... -p 3000:3000 realmgate

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: every dependency, the generated Prisma client and DMMF, dist/ and the panel bundle
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
# The install runs `npm run generate` (postinstall), which needs the schema and scripts.
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY scripts ./scripts
# npm ci, or (when npm ci refuses a lockfile that lacks other platforms' optional
# packages, see .ci/run) npm install, which installs the same pinned versions.
RUN npm ci --no-audit --no-fund || npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY components ./components
RUN npm run build

# ---- runtime: production dependencies only, the built code, no compilers or sources
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN (npm ci --omit=dev --no-audit --no-fund || npm install --omit=dev --no-audit --no-fund) && npm cache clean --force
COPY --from=build /app/dist ./dist
# AdminJS checks the prebuilt bundle against the component sources it was built from.
COPY --from=build /app/components ./components
COPY --from=build --chown=node:node /app/.adminjs ./.adminjs
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "dist/main.js"]
