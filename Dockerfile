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
# Sources before the install: its postinstall (`npm run generate`, and whatever
# else package.json runs there) reads the schema, scripts and sources.
COPY package.json package-lock.json tsconfig.json ./
COPY prisma ./prisma
COPY scripts ./scripts
COPY src ./src
COPY components ./components
# npm ci, or (when npm ci refuses a lockfile that lacks other platforms' optional
# packages, see .ci/run) npm install, which installs the same pinned versions.
RUN npm ci --no-audit --no-fund || npm install --no-audit --no-fund
RUN npm run build
# Production dependencies only from here (the generated client in node_modules/.prisma stays).
RUN npm prune --omit=dev --no-audit --no-fund

# ---- runtime: production dependencies, the built code, no compilers or sources
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Migrations are applied at start; the scaffold CLI's SQL helper lives in scripts/.
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/scripts ./scripts
# AdminJS checks the prebuilt bundle against the component sources it was built from.
COPY --from=build /app/components ./components
COPY --from=build --chown=node:node /app/.adminjs ./.adminjs
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "dist/main.js"]
