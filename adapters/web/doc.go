// Package web is the browser's adapter: server-rendered pages for
// inspectors, street offices and auditors (Chinese by default, English on
// request), with htmx for partial updates and ECharts for charts, both
// embedded from npm (see the Makefile's assets target). Pages read through
// the same services and read models as the JSON API and record commands
// through app.Service. Who is signed in comes from Options.Principal
// (adapters/http.WebUser). Which role may open which page, and a compound
// in the path, is decided by the API's access table (adapters/http/policy.go);
// the pages only narrow their lists and drill-downs to the user's scope and
// mask personal data, as the API's handlers do.
package web
