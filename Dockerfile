# One image for every stage and the dashboard; compose.yaml and deploy/kubernetes/ pick the stage
# by its deno.json task, e.g. `task summary`, which runs it under its permission set.
#   docker build -t cta-transit-status .
#   docker run --rm cta-transit-status task simulate --help
FROM denoland/deno:2.9.6

WORKDIR /app
# The image's user deno, by number, so that Kubernetes can tell it is not root (runAsNonRoot).
RUN chown 1993:1993 /app
USER 1993

# Dependencies first, so that a change of code alone reuses this layer.
COPY --chown=1993:1993 deno.json deno.lock ./
RUN deno install --frozen

COPY --chown=1993:1993 . .
# Every stage's modules, and the dashboard's islands, so that nothing is fetched at start.
RUN deno cache --frozen main.ts pipeline/*.ts pipeline/*/main.ts rest_proxy/main.ts \
  && deno task build

# Inside a container the health, REST and dashboard servers listen on every interface.
ENV HEALTH_HOST=0.0.0.0 \
  HEALTH_PORT=9464 \
  REST_PROXY_HOST=0.0.0.0 \
  DASHBOARD_HOST=0.0.0.0
EXPOSE 9464 8082 8888

CMD ["task", "serve"]
