package postgres

// The statements of the append and follow paths and the writer's session
// settings, for TestHotPathPlans.
const (
	AppendStmt     = appendStmt
	HeadsStmt      = headsStmt
	CommandsStmt   = commandsStmt
	ReadAllStmt    = readAllStmt
	ReadStreamStmt = readStreamStmt
)

var WriterSettings = writerSettings
