// Package lint reviews CORS configurations without any network: corskit
// policies and gateway files, nginx and HAProxy configurations, Express,
// Flask, PHP and Go sources, the other stacks' settings and sources (Django,
// FastAPI and Starlette, aiohttp-cors, Fastify, Koa, NestJS, Hono, Next.js,
// rack-cors: rules registered by gen's stack files), the CORS rules of S3,
// Azure Blob Storage and Cloud Storage, Gateway API HTTPRoutes and
// ingress-nginx Ingresses, reporting each dangerous pattern at
// file:line:column with a rule id, a message and the fix.
//
// # Compatibility
//
// This package's API may change in any release; the CLI (corskit lint) is
// its user. It is public so that the corskit command is built from it,
// not as a library: a program outside corskit should run the command
// instead. The packages that carry a promise are cors, policy and browser
// (docs/api.md lists them and what each promises).
package lint
