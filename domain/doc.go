// Package domain is the core of casetrack: the compound aggregate (小区),
// the commands that ask to change it, the events that record what changed,
// the jurisdiction rules that decide between them, and the ports the rest
// of the program plugs into.
//
// It is pure Go: no clock, no ID generator, no database, HTTP or bus.
// Business time comes in with each command, IDs come in with each command,
// and the rule set in force comes in as a value.
//
// # Reading order
//
//   - compound.go: the aggregate; Decide runs a command, Apply folds an event.
//   - event.go: the envelope every store keeps, its hash chain, the event
//     registry with schema versions and upcasters.
//   - error.go: the one error type, stable codes, every broken rule in
//     English and Chinese.
//   - limits.go: every command field's limit as data (text kinds and
//     lengths, number bounds, the business date range), applied to every
//     command in Decide before any rule computes with a value.
//   - rules.go: rule sets by effective date, loaded from TOML files
//     (rulesets/ holds the built-in ones).
//   - store.go: the EventStore port; adapters/storetest is its contract.
//   - one file per part of a compound's life, each opening with its rules in
//     plain words: registry.go (registration, company, party building),
//     committee_formation.go, committee_vetting.go, committee_election.go,
//     committee_term.go and committee_interim.go (owners' committee by
//     phase), vote.go (assemblies), complaint.go (12345 and petitions),
//     lawsuit.go, plan.go (一区一策), listing.go (挂牌督办), enforcement.go,
//     governance.go, correction.go (更正: rename, figures, 区划调整, void
//     or re-categorise a complaint).
//   - location.go: a compound's optional coordinates (exact microdegrees,
//     within China), by which the Open311 API places a request.
//   - calendar.go: the working-day calendar (holidays and 调休), data in
//     rulesets/calendar.toml.
//   - account.go: the accounts (who signs in, role, scope), in their own
//     stream "accounts"; its commands are built by app/auth, not the API's
//     command table.
//   - personal.go: personal data that can be erased (complainants' names
//     and phones, candidates' units, birth dates and ID numbers): subject
//     IDs, the Personal value the command service seals with the subject's
//     own key (app/personal.go) and opens for a rule that reads it (the age
//     check), the KeyStore port, and the checks of phone and ID numbers.
//   - vocabulary.go and lookup.go: the one way to check a closed set of
//     codes and to find a sub-entity (complaint, candidate, measure…) by ID.
//
// Commands and events are declared apart: a command is what a user asks
// (input shape, decoded from the API), an event is what was decided and is
// kept for ever (stored shape, pinned by testdata/events/*.json). The two
// change independently; an event that changes shape gets a new schema
// version and an upcaster from the old one.
//
// # A command's life, file by file
//
//  1. adapters/http/compound.go, handleCommand: POST
//     /api/v1/compounds/{id}/{command} reads the body, the business time
//     (occurred_at), the idempotency key and If-Match. Before it,
//     adapters/http/auth.go finds the signed-in account (the actor) and
//     policy.go's table decides whether its role and scope may run the
//     command on this compound.
//  2. domain/compound.go, ParseCommand: the body is decoded strictly into
//     the command's type (table below); unknown fields, wrong types and
//     invalid UTF-8 are field errors; text is normalised to NFC.
//  3. app/service.go, Service.Execute: loads the compound (from its cache,
//     reading only newer events), picks the rule set in force at the business
//     time, and calls Decide.
//  4. Compound.Decide applies the field limits (limits.go) and refuses facts
//     dated before the registration; then the command's decide method (file
//     in the table) checks it against the state and the rules, and returns
//     the events to record or every rule it breaks.
//  5. app/service.go: seals personal fields (app/personal.go), encodes the events (event.go, EncodeEvent) and appends
//     them at the version it decided on; a concurrent writer makes it read
//     what was added and decide again.
//  6. adapters/sqlite (or postgres, esdb): seals each event into the stream's
//     hash chain, gives it a global position, and acknowledges once durable.
//  7. adapters/watermill/bus.go: the relay follows the log and publishes
//     each event; the router hands it to every projection runner.
//  8. projections/runner.go: the runner folds it into its read model
//     (league, credit, deadlines, directory) through the handler for its
//     type; a reader asking for min_position waits until it is folded.
//
// # Commands
//
// Each command is POST /api/v1/compounds/{id}/{command}; its body is the
// JSON of its type.
//
//	command                    type                       file
//	accept-complaint           AcceptComplaint            complaint.go
//	add-measure                AddMeasure                 plan.go
//	adopt-plan                 AdoptPlan                  plan.go
//	amend-complaint-category   AmendComplaintCategory     correction.go
//	apply-for-assembly         ApplyForAssembly           committee_formation.go
//	change-case-leader         ChangeCaseLeader           plan.go
//	change-property-company    ChangePropertyCompany      registry.go
//	choose-chair               ChooseChair                committee_election.go
//	conclude-lawsuit           ConcludeLawsuit            lawsuit.go
//	correct-compound-figures   CorrectCompoundFigures     correction.go
//	decide-complaint-extension DecideComplaintExtension   complaint.go
//	decide-listing-extension   DecideListingExtension     listing.go
//	delist                     Delist                     listing.go
//	dispatch-complaint         DispatchComplaint          complaint.go
//	elect-committee            ElectCommittee             committee_election.go
//	establish-party-branch     EstablishPartyBranch       registry.go
//	file-committee             FileCommittee              committee_election.go
//	file-interim-commission    FileInterimCommission      committee_interim.go
//	file-lawsuit               FileLawsuit                lawsuit.go
//	file-lawsuits              FileLawsuits               lawsuit.go
//	flag-conflict              FlagConflict               plan.go
//	follow-up-complaint        FollowUpComplaint          complaint.go
//	form-interim-commission    FormInterimCommission      committee_interim.go
//	form-preparatory-group     FormPreparatoryGroup       committee_formation.go
//	hand-over-archives         HandOverArchives           committee_term.go
//	hold-assembly-vote         HoldAssemblyVote           vote.go
//	hold-joint-meeting         HoldJointMeeting           governance.go
//	list-for-supervision       ListForSupervision         listing.go
//	move-compound              MoveCompound               correction.go
//	nominate-candidate         NominateCandidate          committee_vetting.go
//	receive-complaint          ReceiveComplaint           complaint.go
//	record-enforcement         RecordEnforcement          enforcement.go
//	record-escalation          RecordEscalation           listing.go
//	record-member-leaving      RecordMemberLeaving        committee_term.go
//	record-term-expiry         RecordTermExpiry           committee_term.go
//	record-training            RecordTraining             governance.go
//	register                   RegisterCompound           registry.go
//	rename-compound            RenameCompound             correction.go
//	reopen-complaint           ReopenComplaint            complaint.go
//	report-measure-progress    ReportMeasureProgress      plan.go
//	request-complaint-extension RequestComplaintExtension  complaint.go
//	request-listing-extension  RequestListingExtension    listing.go
//	resolve-complaint          ResolveComplaint           complaint.go
//	return-complaint           ReturnComplaint            complaint.go
//	set-red-flags              SetRedFlags                registry.go
//	sign-off-measure           SignOffMeasure             plan.go
//	sign-off-plan              SignOffPlan                plan.go
//	start-reelection           StartReelection            committee_term.go
//	unflag-conflict            UnflagConflict             plan.go
//	update-delivered-area      UpdateDeliveredArea        registry.go
//	verify-measure             VerifyMeasure              plan.go
//	verify-remediation         VerifyRemediation          listing.go
//	vet-candidate              VetCandidate               committee_vetting.go
//	void-complaint             VoidComplaint              correction.go
//
// # Checklists
//
// Add a command: declare the command type and its event types apart in the
// file of its phase (name each new text or number field in limits.go: a
// test refuses a field without a limit); write decide (validate, then the rules; collect every
// violation with a stable rule code in both languages) and the events'
// apply; register both in the file's init; add a golden file per new event
// in testdata/events (go test ./domain -run Golden -update drafts it); add
// given-events/when-command/then-events tests; go test ./domain -run
// TestDocCommandTable -update rewrites the table above.
//
// Add an event version: never edit a stored shape in place. Change the Go
// type, register an upcaster from the old version (registerUpcast), keep the
// old golden file and add <Type>.v<N>.upcast.json with what it must become,
// and a golden file of the new version.
//
// Add a projection: a package under projections/ whose fold is built from
// typed handlers (projections.On), one per event type it reads, so what it
// handles is what its code says; pass projectiontest.Run, the contract every
// projection passes (go test -update writes its testdata/handles.txt); open
// its runner in cmd/casetrack/serve.go and read it through Runner.At.
//
// Add a rule set: copy the set it follows (rulesets/ has the built-in ones)
// into a TOML file with its own name and effective_from, change what differs,
// and start the server with --rules DIR holding every set of the city;
// casetrack rules show --rules DIR --at DATE prints the set in force. A fact
// judged against a deadline carries its due date, so a new set never changes
// how past facts are judged.
package domain
