package web

import (
	"embed"
	"fmt"
	"io/fs"
)

// dist holds the npm packages' files that `make assets` copies from
// node_modules (gitignored); static holds our own script and style.
//
//go:embed dist static templates
var files embed.FS

// vendored are the dist files the pages load; without them the pages
// would render but neither update nor chart.
var vendored = []string{"dist/htmx.min.js", "dist/echarts.min.js", "dist/swagger-ui-bundle.js", "dist/swagger-ui.css"}

// checkAssets fails loudly when the binary was built without `make assets`.
func checkAssets() error {
	for _, name := range vendored {
		if _, err := fs.Stat(files, name); err != nil {
			return fmt.Errorf("web asset %s is missing: build with `make` (it runs `make assets`, which needs npm)", name)
		}
	}
	return nil
}
