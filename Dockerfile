# EdgeSentry edge box image. Build from the repository root:
#   docker build -t edgesentry .
# The default command needs a configuration file at /etc/edgesentry/edgesentry.json (mount it; without it the
# container exits with a message saying so). Models are not baked in (they carry their own licences): mount the
# shared folder and point EDGESENTRY_SHARED at it. The outbox lives in the volume /var/lib/edgesentry.
#   docker run -d --name edgesentry -p 9090:9090 \
#     -v /etc/edgesentry/edgesentry.json:/etc/edgesentry/edgesentry.json:ro \
#     -v /path/to/shared:/shared:ro -e EDGESENTRY_SHARED=/shared \
#     -v edgesentry-outbox:/var/lib/edgesentry edgesentry
# In the container the configuration must listen beyond loopback for -p to reach it: "http": { "listen": "0.0.0.0:9090" },
# and beyond loopback a token is required: "tokenEnvironmentVariable": "EDGESENTRY_HTTP_TOKEN" (README, Operator page).
FROM mcr.microsoft.com/dotnet/sdk:10.0-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN scripts/install-prereqs.sh && dotnet publish src/EdgeSentry/EdgeSentry.csproj -c Release -o /app

# aspnet, not runtime: /healthz, /readyz and /metrics are served by Kestrel (Microsoft.AspNetCore.App).
FROM mcr.microsoft.com/dotnet/aspnet:10.0-bookworm-slim
# libgtk-3-0, libjpeg62-turbo, libfreetype6, libharfbuzz0b: what OpenCvSharpExtern (snapshots) links against.
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg \
    libgtk-3-0 libjpeg62-turbo libfreetype6 libharfbuzz0b \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/lib/edgesentry /etc/edgesentry \
    && chown "$APP_UID" /var/lib/edgesentry
COPY --from=build /app /app
WORKDIR /var/lib/edgesentry
# The outbox (alerts not yet acknowledged by the broker) must survive the container.
VOLUME ["/var/lib/edgesentry"]
# The base image's non-root "app" user.
USER $APP_UID
EXPOSE 9090
# The runtime image has no curl: the program asks its own /healthz (exit 0 on HTTP 200).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["dotnet", "/app/edgesentry.dll", "health", "--url", "http://127.0.0.1:9090/healthz"]
ENTRYPOINT ["dotnet", "/app/edgesentry.dll"]
CMD ["run", "--config", "/etc/edgesentry/edgesentry.json"]
