// Package web is the browser's adapter: server-rendered pages for
// inspectors, street offices and auditors (Chinese by default, English on
// request), with htmx for partial updates and ECharts for charts, both
// embedded from npm (see the Makefile's assets target). Pages read through
// the same services and read models as the JSON API and record commands
// through app.Service. Who is signed in comes from Options.Principal, which
// the accounts work supplies; this package decides nothing about access.
package web
