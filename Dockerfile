# corskit in a container: a static binary on a distroless base, non-root.
#   docker build -t corskit .
#   docker run --rm -p 8080:8080 corskit proxy --upstream http://host.docker.internal:5000 \
#       --listen 0.0.0.0:8080 --allow-origin https://app.example.com
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
COPY cors/go.mod cors/go.sum ./cors/
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/corskit ./cmd/corskit

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/corskit /corskit
USER 65532:65532
EXPOSE 8080 9090
ENTRYPOINT ["/corskit"]
CMD ["proxy", "--config", "/etc/corskit/gateway.yaml", "--listen", "0.0.0.0:8080", "--admin-listen", "0.0.0.0:9090", "--log-format", "json"]
