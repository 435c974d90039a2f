# syntax=docker/dockerfile:1
# A service's migrations image: the platform's runner (bin/migrate.ts, bundled by `npm run image`)
# and the service's SQL files (build context "migrations" = services/<name>/migrations). Runs as the
# PreSync Job of the service (docs/cicd/application-delivery.md#database-migrations): non-root, read-only root filesystem.
FROM public.ecr.aws/docker/library/node:22-alpine
COPY dist/migrations/migrate.js /migrator/migrate.js
COPY --from=migrations . /migrations/
USER 10001:10001
ENV MIGRATIONS_DIR=/migrations
ENTRYPOINT ["node", "/migrator/migrate.js"]
