package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	httpapi "github.com/casetrack/casetrack/adapters/http"
	"github.com/casetrack/casetrack/adapters/postgres"
	"github.com/casetrack/casetrack/adapters/watermill"
	"github.com/casetrack/casetrack/adapters/web"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/app/auth"
	"github.com/casetrack/casetrack/app/demo"
	"github.com/casetrack/casetrack/audit"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/complaints"
	"github.com/casetrack/casetrack/projections/credit"
	"github.com/casetrack/casetrack/projections/deadlines"
	"github.com/casetrack/casetrack/projections/directory"
	"github.com/casetrack/casetrack/projections/league"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for the watermill-sql bus
)

// serveOptions are serve's flags.
type serveOptions struct {
	addr, data, store, rules, campaign, bus string
	migrate, demo                           bool
	tablesEvery                             time.Duration
	snapshotsKeep                           int
	metricsAddr, otlpEndpoint               string
	traceSample                             float64
	signingKey, corsOrigins                 string
	checkpointEvery, verifyEvery            time.Duration
	memoryLimit, cacheMemory                string
	log                                     *logOptions
}

func serveFlags(fs *flag.FlagSet) *serveOptions {
	o := &serveOptions{}
	fs.StringVar(&o.addr, "addr", ":8080", "listen `address` of the API and the web pages")
	dataFlag(fs, &o.data)
	storeFlag(fs, &o.store)
	rulesFlag(fs, &o.rules)
	snapshotsFlag(fs, &o.snapshotsKeep)
	fs.BoolVar(&o.migrate, "migrate", false, "apply pending PostgreSQL migrations before serving")
	fs.BoolVar(&o.demo, "demo", true, "load the demo city into an empty data directory (a shared store: only when set explicitly)")
	fs.StringVar(&o.campaign, "campaign", "", "campaign configuration `file` (TOML); empty: the default")
	fs.StringVar(&o.bus, "bus", "", "projection delivery `URL`: empty for in-process, nats://… (JetStream) or postgres://… (tables), shared by instances; ?prefix= names them")
	fs.StringVar(&o.corsOrigins, "cors-origins", "", "comma-separated `origins` (https://host[:port]) whose web pages may call the API from a browser (CORS); empty: none, CORS off")
	fs.DurationVar(&o.tablesEvery, "tables-every", 10*time.Second, "with a PostgreSQL store: how often the read models are written to its rm_* tables for SQL readers")
	fs.StringVar(&o.metricsAddr, "metrics-addr", "", "also serve /metrics, without sign-in, on this `address` (e.g. 127.0.0.1:9100; only where the scraper alone reaches it); empty: only at /metrics of --addr, to admins")
	fs.StringVar(&o.otlpEndpoint, "otlp-endpoint", "", "send traces to this OTLP/HTTP collector `URL` (e.g. http://127.0.0.1:4318); empty: no tracing")
	fs.Float64Var(&o.traceSample, "trace-sample", 1, "share of the traces started here that are kept, 0 to 1 (a caller's traceparent decides for its own)")
	fs.StringVar(&o.signingKey, "signing-key", "", "private key signing the log's checkpoints: a `file` made by casetrack keys generate, or the key itself (PRIVATE+KEY+…, e.g. from the environment); empty: "+privateKeyFile+" in --data, made if absent")
	fs.DurationVar(&o.checkpointEvery, "checkpoint-every", audit.CheckpointEvery, "while events arrive, sign a checkpoint of the log at most this often (at least 100ms)")
	fs.DurationVar(&o.verifyEvery, "verify-every", 10*time.Minute, "re-verify the whole log against the last checkpoint this often (0: only at start)")
	fs.StringVar(&o.memoryLimit, "memory-limit", "", "soft `limit` of the Go memory (e.g. 1GiB, 800MiB; off: none): near it the collector runs more often, where otherwise (GOGC=200) the heap may grow to three times the live read models; empty: $GOMEMLIMIT if set, else nine tenths of the cgroup's limit if one is set, else none")
	fs.StringVar(&o.cacheMemory, "cache-memory", "256MiB", "approximate `size` of the compounds the command service keeps in memory between commands (e.g. 256MiB, 1GiB): a command on a compound not kept reads its snapshot and the events after it; a province's working set wants more than the default")
	o.log = logFlags(fs)
	return o
}

func serve(ctx context.Context, stderr io.Writer, args []string) error {
	fs := newFlags("serve", "serve [flags]",
		"Serves the JSON API under /api/ and the web pages at http://ADDR/, loading the demo city into an empty data\n"+
			"directory first (--demo). It answers 503 while it starts; SIGHUP reloads the campaign file.")
	o := serveFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if o.traceSample < 0 || o.traceSample > 1 {
		return usageError{fmt.Errorf("--trace-sample must lie between 0 and 1, not %v", o.traceSample)}
	}
	if u, err := url.Parse(o.otlpEndpoint); o.otlpEndpoint != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		return usageError{fmt.Errorf("--otlp-endpoint must be an http:// or https:// URL of a collector, such as http://127.0.0.1:4318")}
	}
	if o.checkpointEvery < 100*time.Millisecond || o.verifyEvery < 0 {
		return usageError{errors.New("--checkpoint-every must be at least 100ms and --verify-every not negative")}
	}
	if err := checkSnapshotsKeep(o.snapshotsKeep); err != nil {
		return err
	}
	origins, err := httpapi.ParseOrigins(o.corsOrigins)
	if err != nil {
		return err
	}
	logger := o.log.logger(stderr)
	book, err := loadRules(o.rules) // reads files only: a bad rule file stops the start before the port is taken
	if err != nil {
		return err
	}
	if _, err := applyMemoryLimit(o.memoryLimit, logger); err != nil {
		return usageError{err}
	}
	cacheBytes, err := parseSize(o.cacheMemory)
	if err != nil || cacheBytes == math.MaxInt64 {
		return usageError{fmt.Errorf("--cache-memory %q: want a size such as 256MiB or 1GiB", o.cacheMemory)}
	}
	// Then the port: a busy one stops the start at once, before any
	// migration, store or demo load, and the listener then answers while
	// the server starts (healthz alive, readyz and the API 503 with Retry-After).
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s (is another server using it? choose another with --addr): %w", o.addr, err)
	}
	var metricsLn net.Listener
	if o.metricsAddr != "" {
		if metricsLn, err = net.Listen("tcp", o.metricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("cannot listen on %s (--metrics-addr): %w", o.metricsAddr, err)
		}
	}
	tel, err := openTelemetry(ctx, o)
	if err != nil {
		ln.Close()
		return err
	}
	defer tel.close(logger)
	if metricsLn != nil {
		go tel.serveMetrics(ctx, metricsLn, logger)
	}
	var handler atomic.Pointer[http.Handler]
	starting := httpapi.Starting("loading the event store, the demo city and the read models")
	handler.Store(&starting)
	srv := &http.Server{Handler: tel.handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*handler.Load()).ServeHTTP(w, r) })),
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	stop := func() { // before the store and read models close: the last requests still read them
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}
	defer stop() // a failed start
	logger.Info("listening; starting", "addr", ln.Addr().String(), "version", buildVersion().String())

	if o.migrate {
		if err := migrate(ctx, logger, o.store); err != nil {
			return err
		}
	}
	raw, pd, done, err := openRecording(ctx, o.store, o.data, logger)
	if err != nil {
		return err
	}
	defer done()
	store := tel.store(raw)
	svcOpts := append(tel.serviceOptions(), app.WithPersonalData(pd), app.WithCacheBytes(cacheBytes))
	if ss, ok := raw.(domain.SnapshotStore); ok { // the telemetry wrappers hide it
		svcOpts = append(svcOpts, app.WithSnapshotStore(ss))
	}
	svc := app.NewService(store, book, svcOpts...)
	auditor, err := startAudit(ctx, logger, raw, svc, o.signingKey, o.data, o.checkpointEvery, o.verifyEvery)
	if err != nil {
		return err
	}
	defer auditor.stop() // before the store closes (deferred above, so run after)

	accounts := auth.New(store, nil)
	if o.demo {
		explicit := false // the command line, the environment or the config file said so
		fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "demo" })
		// Loaded unwatched: 65,000 commands are not the service's traffic.
		if err := loadDemoOnce(ctx, logger, app.NewService(raw, book, app.WithPersonalData(pd)), raw, o.store, o.data, explicit); err != nil {
			return err
		}
		if demoCity(o.store, o.data, explicit) {
			if err := ensureDemoAccounts(ctx, os.Stdout, accounts); err != nil {
				return err
			}
		}
	}

	rm, err := openReadModels(store, book, o.data, o.snapshotsKeep, o.campaign, o.bus, o.addr, logger, tel.projections)
	if err != nil {
		return err
	}
	defer rm.close()
	// The restore read and decoded every snapshot: the blobs and the
	// decoder's garbage outweigh the models, and the runtime would keep
	// the memory they took (1.7 GB resident after a restart at 1M events).
	debug.FreeOSMemory()
	// Before the bus starts: a binary built without its web assets stops here.
	var server *httpapi.Server // the pages sign in through the API's sessions
	pages, err := web.New(web.Options{Audit: auditor.svc, Service: svc, Store: store, Directory: rm.directory, Deadlines: rm.deadlines, League: rm.league, Accounts: accounts,
		Logger: logger, Principal: httpapi.WebUser,
		SignIn: func(w http.ResponseWriter, r *http.Request, name, password string) error {
			return server.SignIn(w, r, name, password)
		},
		SignOut:        func(w http.ResponseWriter, r *http.Request) error { return server.SignOut(w, r) },
		Rebuild:        func(name string) error { return server.Rebuild(name) },
		ReloadCampaign: func() (league.Config, error) { return server.ReloadCampaign() }})
	if err != nil {
		return err
	}
	go reloadOnHangup(ctx, logger, rm.league, o.campaign)
	busDone := make(chan struct{})
	go func() {
		defer close(busDone)
		if err := rm.bus.Run(ctx); err != nil {
			logger.Error("projection bus stopped", "err", err)
		}
	}()
	defer func() { <-busDone }() // the bus saves the snapshots on its way out
	// Ready once the read models have folded the backlog (a first start,
	// the demo just loaded, a long stop): before that a league table would
	// rank part of the log as if it were all of it.
	catchUpFrom := time.Now()
	select {
	case <-rm.bus.Live():
		logger.Info("read models caught up", "took", time.Since(catchUpFrom).Round(time.Millisecond))
	case <-busDone:
		return errors.New("the projection bus stopped before the read models caught up (see the log above)")
	case <-ctx.Done():
		return nil
	}
	if pg, ok := raw.(*postgres.Store); ok {
		go pg.ExportTables(ctx, o.tablesEvery, logger, rm.directory, rm.league, rm.credit, rm.deadlines)
	}
	opts := append(rm.apiOptions(store), httpapi.WithSecureCookies(!loopback(o.addr)), httpapi.WithWeb(pages),
		httpapi.WithCampaignFile(o.campaign), httpapi.WithCORS(origins))
	if auditor.svc != nil {
		opts = append(opts, httpapi.WithAudit(auditor.svc))
	}
	server = httpapi.NewServer(svc, store, rm.directory, accounts, logger, append(opts, tel.apiOptions()...)...)
	tel.metrics.InFlight(server.InFlight)
	api := http.Handler(server)
	handler.Store(&api)
	logger.Info("serving", "addr", ln.Addr().String(), "data", o.data, "store", redact(o.store))
	select {
	case <-ctx.Done():
		stop()
		return nil
	case err := <-served:
		return err
	}
}

// readModels restores the projections from their snapshots and sets up
// the bus that keeps them current.
type readModels struct {
	directory  *projections.Runner[*directory.Model]
	league     *league.Service
	credit     *projections.Runner[*credit.Model]
	deadlines  *projections.Runner[*deadlines.Model]
	complaints *projections.Runner[*complaints.Model]
	runners    []projections.Live // all of them, for delivery and rebuilds
	bus        *watermill.Bus
	close      func()
}

func openReadModels(store domain.EventStore, book domain.RuleBook, data string, snapshotsKeep int, campaign, busURL, addr string, logger *slog.Logger,
	watch func([]projections.Live) []projections.Live) (*readModels, error) {
	cfg, err := campaignConfig(campaign)
	if err != nil {
		return nil, err
	}
	file, err := openSnapshots(data, snapshotsKeep)
	if err != nil {
		return nil, err
	}
	cps := projections.Anchored(file, store) // snapshots are only restored over the log they came from
	rm, n := &readModels{close: func() { file.Close() }}, newModels{book}
	var errDirectory, errLeague, errCredit, errDeadlines, errComplaints error
	rm.directory, errDirectory = openRunner(directory.New, cps, logger)
	leagueRunner, errLeague := openRunner(n.league, cps, logger)
	rm.credit, errCredit = openRunner(n.credit, cps, logger)
	rm.deadlines, errDeadlines = openRunner(n.deadlines, cps, logger)
	rm.complaints, errComplaints = openRunner(complaints.New, cps, logger)
	if err := errors.Join(errDirectory, errLeague, errCredit, errDeadlines, errComplaints); err != nil {
		file.Close()
		return nil, err
	}
	rm.league = league.NewService(leagueRunner, store, cfg)
	rm.runners = watch([]projections.Live{rm.directory, leagueRunner, rm.credit, rm.deadlines, rm.complaints})
	switch {
	case busURL == "":
		rm.bus = watermill.NewInProcess(store, logger, rm.runners...)
	case strings.HasPrefix(busURL, "nats://"), isPostgres(busURL):
		// ?prefix= names the streams or tables: one store, one prefix. The
		// instance's name keeps its consumers apart from other instances'.
		var u *url.URL
		if u, err = url.Parse(busURL); err != nil {
			break
		}
		q := u.Query()
		prefix := q.Get("prefix")
		q.Del("prefix")
		u.RawQuery = q.Encode()
		host, _ := os.Hostname()
		instance := instanceName(host, addr)
		if u.Scheme == "nats" {
			rm.bus, err = watermill.NewNATS(watermill.NATSConfig{URL: u.String(), Instance: instance, Prefix: prefix}, store, logger, rm.runners...)
			break
		}
		var db *sql.DB
		if db, err = sql.Open("pgx", u.String()); err == nil {
			rm.close = func() { db.Close(); file.Close() }
			rm.bus, err = watermill.NewSQL(db, watermill.SQLConfig{Instance: instance, Prefix: prefix}, store, logger, rm.runners...)
		}
	default:
		err = fmt.Errorf("unknown bus %q: use nats://…, postgres://… or nothing", redact(busURL))
	}
	if err != nil {
		rm.close()
		return nil, err
	}
	return rm, nil
}

// openRunner restores a projection from its latest snapshot.
func openRunner[M projections.Projection](newModel func() M, cps projections.Checkpoints, logger *slog.Logger) (*projections.Runner[M], error) {
	r, err := projections.NewRunner(newModel, cps, 20000)
	if err == nil && r.Discarded() != nil {
		logger.Warn("snapshot not restored", "err", r.Discarded())
	}
	return r, err
}

// instanceName turns host and listen address into a durable-consumer name.
func instanceName(host, addr string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, host+"_"+addr)
}

// apiOptions serves the read models and lets operators rebuild them.
func (rm *readModels) apiOptions(store domain.EventStore) []httpapi.Option {
	return []httpapi.Option{httpapi.WithLeague(rm.league), httpapi.WithCredit(rm.credit), httpapi.WithDeadlines(rm.deadlines),
		httpapi.WithComplaints(rm.complaints), httpapi.WithProjections(store, rm.runners...)}
}

func campaignConfig(path string) (league.Config, error) {
	if path == "" {
		return league.DefaultConfig(), nil
	}
	return league.LoadConfig(path)
}

// reloadOnHangup re-reads the campaign file on SIGHUP. Tables are computed
// from the facts at query time, so new weights apply at once, no rebuild.
func reloadOnHangup(ctx context.Context, logger *slog.Logger, l *league.Service, path string) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			cfg, err := campaignConfig(path)
			if err != nil {
				logger.Error("campaign config not reloaded", "err", err)
				continue
			}
			l.SetConfig(cfg)
			logger.Info("campaign config reloaded", "name", cfg.Name)
		}
	}
}

// loadDemoOnce loads the demo city unless this data directory already has
// it. The load is idempotent, so an interrupted first start simply resumes.
// A store shared with other instances gets the demo only when asked for it
// explicitly, and only while its log is empty: a production database must
// not fill with a demo city because a flag kept its default.
func loadDemoOnce(ctx context.Context, logger *slog.Logger, svc *app.Service, store domain.EventStore, storeURL, data string, explicit bool) error {
	if external(storeURL) {
		if !explicit {
			return nil
		}
		if first, err := store.ReadAll(ctx, 0, 1); err != nil || len(first) > 0 {
			return err
		}
		return loadDemo(ctx, logger, svc)
	}
	marker := filepath.Join(data, "demo-loaded")
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	if err := loadDemo(ctx, logger, svc); err != nil {
		return err
	}
	return os.WriteFile(marker, []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o600)
}

// demoCity reports whether this store holds the demo city: an embedded
// store where it was loaded, or a shared one it was explicitly asked for.
func demoCity(storeURL, data string, explicit bool) bool {
	if external(storeURL) {
		return explicit
	}
	_, err := os.Stat(filepath.Join(data, "demo-loaded"))
	return err == nil
}

// loopback reports whether addr listens on this machine only: there the
// session cookie may go without TLS, everywhere else it must not.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func loadDemo(ctx context.Context, logger *slog.Logger, svc *app.Service) error {
	cfg := demo.DefaultConfig()
	start := time.Now()
	logger.Info("loading the demo city", "districts", cfg.Districts, "streets", cfg.Districts*cfg.StreetsPerDistrict,
		"compounds", cfg.Districts*cfg.StreetsPerDistrict*cfg.CompoundsPerStreet)
	bar := progress(os.Stderr, "demo city (days)")
	n, err := demo.Load(ctx, svc, cfg, 256, func(done, total int) {
		bar(done, total)
		if done%100 == 0 || done == total {
			logger.Info("demo", "days", done, "of", total)
		}
	})
	if err != nil {
		return err
	}
	logger.Info("demo city loaded", "events", n, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// demoFlags are demo's flags.
func demoFlags(fs *flag.FlagSet) (data, store, rules *string, log *logOptions) {
	data, store, rules = new(string), new(string), new(string)
	dataFlag(fs, data)
	storeFlag(fs, store)
	rulesFlag(fs, rules)
	return data, store, rules, logFlags(fs)
}

func demoCmd(ctx context.Context, stderr io.Writer, args []string) error {
	fs := newFlags("demo", "demo [flags]", "Loads the demo city (3 districts, 600 compounds, about 65,000 events) through the command\n"+
		"service; an interrupted load resumes, a finished one is not repeated.")
	data, storeURL, rulesDir, log := demoFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	logger := log.logger(stderr)
	book, err := loadRules(*rulesDir)
	if err != nil {
		return err
	}
	store, pd, done, err := openRecording(ctx, *storeURL, *data, logger)
	if err != nil {
		return err
	}
	defer done()
	svc := app.NewService(store, book, app.WithPersonalData(pd))
	if external(*storeURL) { // no marker file for a shared store: the load is idempotent, so run (or finish) it
		return loadDemo(ctx, logger, svc)
	}
	return loadDemoOnce(ctx, logger, svc, store, *storeURL, *data, true)
}
