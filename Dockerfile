# EdgeSentry edge box image. Build from the repository root:
#   docker build -t edgesentry .
# Models and footage are not baked in (they carry their own licences): mount them, e.g.
#   docker run --rm -v /path/to/shared:/shared -e EDGESENTRY_SHARED=/shared -v /etc/edgesentry:/config \
#     edgesentry run --config /config/edgesentry.json
FROM mcr.microsoft.com/dotnet/sdk:10.0-bookworm-slim AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends npm ca-certificates && rm -rf /var/lib/apt/lists/*
COPY . .
RUN scripts/install-prereqs.sh && dotnet publish src/EdgeSentry/EdgeSentry.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg libturbojpeg0 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
WORKDIR /app
ENTRYPOINT ["dotnet", "/app/edgesentry.dll"]
CMD ["run"]
