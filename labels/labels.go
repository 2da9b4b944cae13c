// Package labels is the one table of what users read for every code the
// API and the read models use: compound kinds, committee phases, complaint
// channels, kinds, categories and states, deadline kinds, league metrics,
// levels and lists, command and event names, and the few words the
// exports and pages share. Chinese first, English second. It is pure data,
// so the pages, the exports and the projections may all import it.
package labels

// Lang is a language users read: Chinese (default) or English.
type Lang string

const (
	ZH Lang = "zh"
	EN Lang = "en"
)

// Group is a set of codes; the same code may mean different things in
// different groups (e.g. "other").
type Group string

const (
	CompoundKind      Group = "compound_kind"
	Phase             Group = "phase"
	Channel           Group = "channel"
	ComplaintKind     Group = "complaint_kind"
	ComplaintCategory Group = "complaint_category"
	ComplaintState    Group = "complaint_state"
	Satisfaction      Group = "satisfaction"
	DeadlineKind      Group = "deadline_kind"
	Metric            Group = "metric"
	Level             Group = "level"
	List              Group = "list"
	LawsuitCause      Group = "lawsuit_cause"
	LawsuitSide       Group = "lawsuit_side"
	LawsuitOutcome    Group = "lawsuit_outcome"
	MeasureTerm       Group = "measure_term"
	EscalationKind    Group = "escalation_kind"
	GroupRole         Group = "group_role"
	LeaveReason       Group = "leave_reason"
	CompanyViolation  Group = "company_violation"
	Matter            Group = "matter"
	Choice            Group = "choice"
	Role              Group = "role"
	Command           Group = "command"
	Event             Group = "event"
	Column            Group = "column" // export and table headings
	Field             Group = "field"  // command fields, by JSON name
	Word              Group = "word"   // the pages' own words
)

// Of is the label of code in group, in lang; an unknown code shows as
// itself, so a new code is never hidden (the labels tests catch it first).
func Of(lang Lang, g Group, code string) string {
	if p, ok := table[g][code]; ok {
		if lang == EN {
			return p[1]
		}
		return p[0]
	}
	return code
}

// Has reports whether code has a label in group.
func Has(g Group, code string) bool {
	_, ok := table[g][code]
	return ok
}

// Codes lists a group's codes (unordered), for tests and pickers.
func Codes(g Group) []string {
	out := make([]string, 0, len(table[g]))
	for c := range table[g] {
		out = append(out, c)
	}
	return out
}

// ForType is the group of a domain vocabulary's Go type name (as
// domain.Vocabularies names them); false when there is none.
func ForType(typeName string) (Group, bool) {
	g, ok := byType[typeName]
	return g, ok
}

var byType = map[string]Group{
	"CompoundKind": CompoundKind, "Channel": Channel, "ComplaintKind": ComplaintKind, "ComplaintCategory": ComplaintCategory,
	"ComplaintState": ComplaintState, "Satisfaction": Satisfaction, "GroupRole": GroupRole, "LeaveReason": LeaveReason,
	"CompanyViolation": CompanyViolation, "LawsuitCause": LawsuitCause, "LawsuitSide": LawsuitSide,
	"LawsuitOutcome": LawsuitOutcome, "EscalationKind": EscalationKind, "MeasureTerm": MeasureTerm,
	"Matter": Matter, "Choice": Choice,
}

type pair [2]string // Chinese, English

var table = map[Group]map[string]pair{
	CompoundKind: {"commercial": {"商品房", "Commercial housing"}, "old": {"老旧小区", "Old compound"},
		"unmanaged": {"无物业小区", "Unmanaged"}, "resettled": {"村改居", "Resettled village"}},
	Phase: {"none": {"未成立", "None"}, "applied": {"已申请筹备", "Applied"}, "preparing": {"筹备中", "Preparing"},
		"serving": {"任期内", "Serving"}, "reelection": {"换届中", "Re-election"}, "expired": {"到期未换届", "Expired"},
		"interim": {"物业管理委员会", "Interim commission"}},
	Channel: {"hotline": {"12345热线", "12345 hotline"}, "petition": {"信访", "Petition"}, "visit": {"来访", "Visit"},
		"online": {"网上投诉", "Online"}, "grid": {"网格员发现", "Grid worker"}},
	ComplaintKind: {"consultation": {"咨询", "Consultation"}, "complaint": {"投诉", "Complaint"}},
	ComplaintCategory: {"service_quality": {"服务质量", "Service quality"}, "fees": {"物业费", "Fees"},
		"maintenance_fund": {"维修资金", "Maintenance fund"}, "public_income": {"公共收益", "Public income"},
		"parking": {"停车", "Parking"}, "illegal_construction": {"违章搭建", "Illegal construction"},
		"neighbours": {"邻里纠纷", "Neighbours"}, "committee_affairs": {"业委会事务", "Committee affairs"},
		"handover": {"承接查验/交接", "Handover"}},
	ComplaintState: {"received": {"已受理", "Received"}, "dispatched": {"已派单", "Dispatched"}, "accepted": {"已签收", "Accepted"},
		"returned": {"已退单", "Returned"}, "extension_requested": {"延期申请中", "Extension requested"},
		"resolved": {"已办结", "Resolved"}, "followed_up": {"已回访", "Followed up"}, "reopened": {"已重办", "Reopened"}},
	Satisfaction: {"satisfied": {"满意", "Satisfied"}, "basically_satisfied": {"基本满意", "Basically satisfied"},
		"dissatisfied": {"不满意", "Dissatisfied"}},
	DeadlineKind: {"committee_filing": {"业委会备案", "Committee filing"}, "reelection_start": {"换届启动", "Re-election start"},
		"listing": {"挂牌督办期限", "Listing deadline"}, "measure": {"整改措施期限", "Measure deadline"},
		"complaint_dispatch": {"派单时限", "Dispatch limit"}, "complaint_reply": {"办结时限", "Reply limit"},
		"complaint_follow_up": {"回访时限", "Follow-up limit"}},
	Metric: {"complaints_per_1000": {"每千户投诉量", "Complaints per 1,000 households"},
		"complaints_yoy":         {"投诉量同比变化", "Complaints, year on year"},
		"petitions_lawsuits_yoy": {"信访诉讼同比变化（只降不升）", "Petitions and suits, year on year (must not rise)"},
		"response_rate":          {"响应率", "Response rate"}, "closure_rate": {"办结率", "Closure rate"},
		"resolution_rate": {"解决率", "Resolution rate"}, "satisfaction_rate": {"满意率", "Satisfaction rate"},
		"return_rate": {"回退率", "Return rate"}, "reopen_rate": {"重办率", "Reopen rate"},
		"measures_on_time": {"整改措施按期完成率", "Measures on time"}, "overdue_measures": {"逾期整改措施数", "Overdue measures"},
		"listings": {"挂牌督办小区数", "Listed compounds"}, "committee_coverage": {"业委会（物管会）覆盖率", "Committee coverage"},
		"expired_committees": {"到期未换届业委会数", "Expired committees"}, "party_member_share": {"业委会党员占比", "Party members on committees"},
		"dual_role_share": {"一肩挑比例", "Chair is branch secretary"}, "red_property_share": {"红色物业比例", "Red property companies"}},
	Level: {"street": {"街道", "Streets"}, "community": {"社区", "Communities"}, "district": {"区县", "Districts"},
		"compound": {"小区", "Compounds"}, "company": {"物业企业", "Companies"}},
	List:         {"red": {"红榜", "Red list"}, "black": {"黑榜", "Black list"}},
	LawsuitCause: {"fee_arrears": {"欠缴物业费", "Fee arrears"}, "service_quality": {"服务质量", "Service quality"}, "maintenance_fund": {"专项维修资金", "Maintenance fund"}, "public_income": {"公共收益", "Public income"}, "handover": {"物业交接", "Handover"}, "other": {"其他", "Other"}},
	LawsuitSide:  {"plaintiff": {"原告", "Plaintiff"}, "defendant": {"被告", "Defendant"}},
	LawsuitOutcome: {"judged": {"判决", "Judged"}, "mediated": {"调解", "Mediated"}, "withdrawn": {"撤诉", "Withdrawn"},
		"": {"审理中", "Pending"}},
	MeasureTerm:    {"short": {"短期", "Short term"}, "long": {"长效", "Long term"}},
	EscalationKind: {"interview": {"约谈", "Interview"}, "public_notice": {"通报", "Public notice"}},
	GroupRole: {"street": {"街道办事处代表", "Street office"}, "owner": {"业主代表", "Owner"}, "community": {"社区居委会代表", "Community"},
		"housing": {"区住建部门代表", "Housing bureau"}, "developer": {"建设单位代表", "Developer"}, "party": {"社区党组织代表", "Party"}},
	LeaveReason: {"ceased_owner": {"不再是业主", "No longer an owner"}, "resigned": {"辞职", "Resigned"},
		"removed": {"业主大会罢免", "Removed by the assembly"}, "absent": {"缺席过半会议", "Absent from most meetings"}},
	CompanyViolation: {"misuse_maintenance_fund": {"挪用专项维修资金", "Misused the maintenance fund"},
		"unauthorised_service_cut_or_fee_change": {"擅自停止服务或调整收费", "Cut service or changed fees"},
		"occupy_common_land":                     {"占用共有场地", "Occupied common land"}, "forced_prepayment": {"强制预收物业费超过一年", "Forced prepayment"},
		"other": {"其他", "Other"}},
	Matter: {"elect_committee": {"选举业委会", "Elect the committee"}, "remove_member": {"罢免委员", "Remove a member"},
		"amend_rules": {"制定和修改管理规约、议事规则", "Amend the rules"}, "hire_company": {"选聘物业服务企业", "Hire a company"},
		"dismiss_company": {"解聘物业服务企业", "Dismiss the company"}, "use_maintenance_fund": {"使用维修资金", "Use the maintenance fund"},
		"raise_maintenance_fund": {"筹集维修资金", "Raise the maintenance fund"}, "rebuild": {"改建、重建", "Rebuild"},
		"change_common_use": {"改变共有部分用途", "Change common use"}, "other": {"其他", "Other"}},
	Choice: {"yes": {"赞成", "Yes"}, "no": {"反对", "No"}, "abstain": {"弃权", "Abstain"}, "": {"未参与", "Absent"}},
	Role: {"admin": {"管理员", "Administrator"}, "inspector": {"住建局督查", "Inspector"}, "street_office": {"街道办", "Street office"},
		"community_worker": {"社区工作者", "Community worker"}, "hotline": {"12345热线", "Hotline"}, "auditor": {"审计", "Auditor"}},
	Command: {
		"elect-committee": {"选举业委会", "Elect committee"}, "choose-chair": {"选举主任", "Choose chair"},
		"file-committee": {"业委会备案", "File committee"}, "apply-for-assembly": {"申请召开首次业主大会", "Apply for assembly"},
		"form-preparatory-group": {"成立筹备组", "Form preparatory group"}, "form-interim-commission": {"成立物管会", "Form interim commission"},
		"file-interim-commission": {"物管会备案", "File interim commission"}, "start-reelection": {"启动换届", "Start re-election"},
		"record-term-expiry": {"记录任期届满", "Record term expiry"}, "hand-over-archives": {"移交档案", "Hand over archives"},
		"record-member-leaving": {"记录委员离任", "Record member leaving"}, "nominate-candidate": {"提名候选人", "Nominate candidate"},
		"vet-candidate": {"候选人资格审查", "Vet candidate"}, "receive-complaint": {"受理投诉", "Receive complaint"},
		"dispatch-complaint": {"派单", "Dispatch complaint"}, "accept-complaint": {"签收", "Accept complaint"},
		"return-complaint": {"退单", "Return complaint"}, "request-complaint-extension": {"申请延期", "Request extension"},
		"decide-complaint-extension": {"审批延期", "Decide extension"}, "resolve-complaint": {"办结", "Resolve complaint"},
		"follow-up-complaint": {"回访", "Follow up complaint"}, "reopen-complaint": {"重办", "Reopen complaint"},
		"record-enforcement": {"记录执法", "Record enforcement"}, "hold-joint-meeting": {"召开联席会议", "Hold joint meeting"},
		"record-training": {"记录培训", "Record training"}, "file-lawsuit": {"登记诉讼", "File lawsuit"},
		"file-lawsuits": {"批量登记诉讼", "File lawsuits"}, "conclude-lawsuit": {"诉讼结案", "Conclude lawsuit"},
		"list-for-supervision": {"挂牌督办", "List for supervision"}, "request-listing-extension": {"申请督办延期", "Request listing extension"},
		"decide-listing-extension": {"审批督办延期", "Decide listing extension"}, "verify-remediation": {"整改验收", "Verify remediation"},
		"delist": {"摘牌", "Delist"}, "record-escalation": {"约谈或通报", "Record escalation"},
		"flag-conflict": {"标记矛盾突出", "Flag conflict"}, "unflag-conflict": {"取消矛盾突出", "Unflag conflict"},
		"adopt-plan": {"制定一区一策", "Adopt plan"}, "add-measure": {"增加整改措施", "Add measure"},
		"change-case-leader": {"更换包案领导", "Change case leader"}, "report-measure-progress": {"报告措施进度", "Report measure progress"},
		"verify-measure": {"核验措施", "Verify measure"}, "sign-off-measure": {"措施销号", "Sign off measure"},
		"sign-off-plan": {"方案销号", "Sign off plan"}, "register": {"登记小区", "Register compound"},
		"update-delivered-area": {"更新交付面积", "Update delivered area"}, "change-property-company": {"更换物业企业", "Change property company"},
		"establish-party-branch": {"成立党支部", "Establish party branch"}, "set-red-flags": {"设置红色物业标识", "Set red flags"},
		"hold-assembly-vote": {"业主大会表决", "Hold assembly vote"},
		"rename-compound":    {"更正小区名称", "Rename compound"}, "correct-compound-figures": {"更正户数或面积", "Correct households or areas"},
		"move-compound": {"区划调整", "Move compound"}, "void-complaint": {"作废误录投诉", "Void complaint"},
		"amend-complaint-category": {"更正投诉类别", "Amend complaint category"}},
	Event: {
		"CommitteeElected": {"业委会选举产生", "Committee elected"}, "ChairChosen": {"主任选出", "Chair chosen"},
		"CommitteeFiled": {"业委会已备案", "Committee filed"}, "AssemblyApplied": {"申请召开首次业主大会", "Assembly applied"},
		"PreparatoryGroupFormed": {"筹备组成立", "Preparatory group formed"}, "InterimCommissionFormed": {"物管会成立", "Interim commission formed"},
		"InterimCommissionFiled": {"物管会已备案", "Interim commission filed"}, "ReelectionStarted": {"换届启动", "Re-election started"},
		"CommitteeTermExpired": {"任期届满", "Term expired"}, "ArchivesHandedOver": {"档案移交", "Archives handed over"},
		"MemberLeft": {"委员离任", "Member left"}, "CandidateNominated": {"候选人提名", "Candidate nominated"},
		"CandidateVetted": {"候选人资格审查", "Candidate vetted"}, "ComplaintReceived": {"投诉受理", "Complaint received"},
		"ComplaintDispatched": {"派单", "Complaint dispatched"}, "ComplaintAccepted": {"签收", "Complaint accepted"},
		"ComplaintReturned": {"退单", "Complaint returned"}, "ComplaintExtensionRequested": {"申请延期", "Extension requested"},
		"ComplaintExtensionDecided": {"延期审批", "Extension decided"}, "ComplaintResolved": {"办结", "Complaint resolved"},
		"ComplaintFollowedUp": {"回访", "Complaint followed up"}, "ComplaintReopened": {"重办", "Complaint reopened"},
		"AlertRaised": {"预警", "Alert raised"}, "EnforcementRecorded": {"执法记录", "Enforcement recorded"},
		"JointMeetingHeld": {"联席会议", "Joint meeting held"}, "TrainingRecorded": {"培训记录", "Training recorded"},
		"LawsuitFiled": {"诉讼登记", "Lawsuit filed"}, "LawsuitConcluded": {"诉讼结案", "Lawsuit concluded"},
		"ListedForSupervision": {"挂牌督办", "Listed for supervision"}, "ListingExtensionRequested": {"督办延期申请", "Listing extension requested"},
		"ListingExtensionDecided": {"督办延期审批", "Listing extension decided"}, "RemediationVerified": {"整改验收", "Remediation verified"},
		"Delisted": {"摘牌", "Delisted"}, "EscalationRecorded": {"约谈或通报", "Escalation recorded"},
		"ConflictFlagged": {"标记矛盾突出", "Conflict flagged"}, "ConflictUnflagged": {"取消矛盾突出", "Conflict unflagged"},
		"PlanAdopted": {"一区一策制定", "Plan adopted"}, "MeasureAdded": {"增加整改措施", "Measure added"},
		"CaseLeaderChanged": {"包案领导变更", "Case leader changed"}, "MeasureProgressReported": {"措施进度", "Measure progress"},
		"MeasureVerified": {"措施核验", "Measure verified"}, "MeasureSignedOff": {"措施销号", "Measure signed off"},
		"PlanSignedOff": {"方案销号", "Plan signed off"}, "CompoundRegistered": {"小区登记", "Compound registered"},
		"DeliveredAreaUpdated": {"交付面积更新", "Delivered area updated"}, "PropertyCompanyChanged": {"物业企业更换", "Property company changed"},
		"PartyBranchEstablished": {"党支部成立", "Party branch established"}, "RedFlagsSet": {"红色物业标识", "Red flags set"},
		"AssemblyVoteHeld": {"业主大会表决", "Assembly vote held"},
		"CompoundRenamed":  {"小区名称更正", "Compound renamed"}, "CompoundFiguresCorrected": {"户数或面积更正", "Households or areas corrected"},
		"CompoundMoved": {"区划调整", "Compound moved"}, "ComplaintVoided": {"投诉作废", "Complaint voided"},
		"ComplaintCategoryAmended": {"投诉类别更正", "Complaint category amended"},
		"AccountCreated":           {"账号创建", "Account created"}, "AccountDisabled": {"账号停用", "Account disabled"},
		"AccountPasswordChanged": {"密码更改", "Password changed"}, "AccountRoleGranted": {"角色授予", "Role granted"},
		"AccountTokenIssued": {"令牌签发", "Token issued"}, "AccountTokenRevoked": {"令牌吊销", "Token revoked"}},
	Word: {
		"app":                  {"物业矛盾专项整治", "Property disputes campaign"},
		"skip":                 {"跳到正文", "Skip to content"},
		"nav":                  {"主导航", "Main navigation"},
		"dashboard":            {"考核看板", "Campaign dashboard"},
		"street":               {"街道工作台", "Street workspace"},
		"history":              {"审计追溯", "Audit history"},
		"signin":               {"登录", "Sign in"},
		"notfound":             {"页面不存在", "Page not found"},
		"docs":                 {"接口文档", "API reference"},
		"docs_intro":           {"本页由 /openapi.json 生成；接口说明为英文。", "Rendered from /openapi.json."},
		"home":                 {"返回首页", "Home"},
		"user_name":            {"用户名", "User name"},
		"password":             {"密码", "Password"},
		"no_accounts":          {"账号功能尚未启用。", "Accounts are not set up yet."},
		"sign_in_failed":       {"用户名或密码不正确", "Wrong user name or password"},
		"sign_in_locked":       {"登录失败次数过多，请15分钟后再试", "Too many failed sign-ins; try again in 15 minutes"},
		"signout":              {"退出", "Sign out"},
		"operations":           {"系统运维", "Operations"},
		"accounts":             {"账号与角色", "Users and roles"},
		"role":                 {"角色", "Role"},
		"scope":                {"职责范围", "Scope"},
		"whole_city":           {"全市", "Whole city"},
		"disabled":             {"已停用", "Disabled"},
		"active":               {"在用", "Active"},
		"projections":          {"读模型进度", "Read models"},
		"projection":           {"读模型", "Read model"},
		"log_position":         {"已读至日志位置", "Log position read"},
		"refused":              {"无权访问", "Not allowed"},
		"refused_text":         {"此页面不在您的账号职责范围内。", "This page lies outside what your account is for."},
		"error":                {"错误", "Error"},
		"level":                {"层级", "Level"},
		"period":               {"周期", "Period"},
		"sort":                 {"排序", "Sort"},
		"sort_default":         {"默认", "Default"},
		"sort_best":            {"由好到差", "Best first"},
		"sort_worst":           {"由差到好", "Worst first"},
		"as_of":                {"截至日期", "As of"},
		"show":                 {"查询", "Show"},
		"position":             {"事件位置", "Position"},
		"export":               {"导出", "Export"},
		"score_chart":          {"综合得分柱状图", "Bar chart of scores"},
		"complaints_per_month": {"月度投诉量（与去年同期对比）", "Complaints per month against last year"},
		"league_table":         {"排名表", "League table"},
		"rising_short":         {"只降不升", "Must not rise"},
		"page_prev":            {"上一页", "Previous page"},
		"rebuild":              {"重建", "Rebuild"},
		"rebuild_started":      {"已开始重建，重建期间旧读模型继续服务", "Rebuild started; the old read model answers until the new one has caught up"},
		"campaign":             {"考核配置", "Campaign"},
		"reload_campaign":      {"重新加载考核配置", "Reload campaign configuration"},
		"campaign_reloaded":    {"考核配置已重新加载", "Campaign configuration reloaded"},
		"page_next":            {"下一页", "Next page"},
		"page_of":              {"页", "page"},
		"rising_flag":          {"上升", "Rising"},
		"chart_this_unit":      {"在图中查看本单位", "Chart this unit"},
		"empty":                {"暂无数据", "Nothing to show"},
		"metrics":              {"指标", "Metrics"},
		"numerator":            {"分子", "Numerator"},
		"denominator":          {"分母", "Denominator"},
		"business_time":        {"业务时间", "Business time"},
		"recorded_time":        {"记录时间", "Recorded time"},
		"event":                {"事件", "Event"},
		"compound":             {"小区", "Compound"},
		"actor":                {"操作人", "Actor"},
		"details":              {"内容", "Details"},
		"more_events":          {"另有未列出的事件", "More events not listed"},
		"missing_events":       {"不在本单位现有小区中的事件", "Events outside the unit's current compounds"},
		"street_pick":          {"街道", "Street"},
		"deadlines":            {"期限看板", "Deadlines board"},
		"due":                  {"期限", "Due"},
		"state":                {"状态", "State"},
		"deadline_kind":        {"期限类型", "Deadline"},
		"subject":              {"事项", "Subject"},
		"overdue":              {"逾期", "Overdue"},
		"days":                 {"天", "days"},
		"due_soon":             {"即将到期", "Due soon"},
		"compounds":            {"辖区小区", "Compounds"},
		"community":            {"社区", "Community"},
		"kind":                 {"类型", "Kind"},
		"committee":            {"业委会", "Committee"},
		"open_complaints":      {"未办结投诉", "Open complaints"},
		"plan":                 {"一区一策", "Plan"},
		"listing":              {"挂牌督办", "Listing"},
		"term_end":             {"任期至", "term ends"},
		"open":                 {"实施中", "open"},
		"listed":               {"督办中，期限", "Listed until"},
		"delisted":             {"已摘牌", "Delisted"},
		"households":           {"户", "households"},
		"record":               {"登记业务", "Record"},
		"step_applied":         {"申请筹备", "Application"},
		"step_preparing":       {"成立筹备组", "Preparatory group"},
		"step_elected":         {"选举产生", "Election"},
		"step_filed":           {"备案", "Filing"},
		"step_reelection":      {"换届", "Re-election"},
		"complaints":           {"投诉", "Complaints"},
		"complainant":          {"诉求人", "Complainant"},
		"erased":               {"已删除", "erased"},
		"sealed":               {"不可见", "hidden"},
		"work_order":           {"工单号", "Work order"},
		"received":             {"受理时间", "Received"},
		"channel":              {"渠道", "Channel"},
		"category":             {"类别", "Category"},
		"rounds":               {"办理轮次", "Rounds"},
		"reply_due":            {"办结时限", "Reply due"},
		"satisfaction":         {"满意度", "Satisfaction"},
		"returns":              {"退单", "returns"},
		"lawsuits":             {"诉讼", "Lawsuits"},
		"filed":                {"立案", "Filed"},
		"cause":                {"案由", "Cause"},
		"outcome":              {"结果", "Outcome"},
		"company_lost":         {"物业败诉", "company lost"},
		"case_leader":          {"包案领导", "Case leader"},
		"adopted":              {"制定于", "adopted"},
		"measure":              {"整改措施", "Measures"},
		"responsible_unit":     {"责任单位", "Responsible unit"},
		"signed_off":           {"已销号", "Signed off"},
		"late":                 {"逾期完成", "late"},
		"timeline":             {"事件时间线", "Timeline"},
		"submit":               {"提交", "Submit"},
		"bad_number":           {"须为数字", "must be a number"},
		"bad_time":             {"须为日期时间", "must be a date and time"},
		"bad_json":             {"须为有效的 JSON", "must be valid JSON"},
		"all":                  {"全部", "All"},
		"against":              {"未达标（逾期、未解决、不满意、退单或重办）", "Counts against (late, unsolved, unsatisfied, returned or reopened)"},
		"against_mark":         {"未达标", "against"},
		"from":                 {"起", "From"},
		"to":                   {"止", "To"},
		"as_of_version":        {"截至版本", "As of version"},
		"chain_valid":          {"哈希链完整", "Hash chain intact"},
		"chain_broken":         {"哈希链被破坏", "Hash chain broken"},
		"log_verified":         {"全量日志与签名检查点一致", "Whole log matches its signed checkpoints"},
		"log_checkpoint":       {"默克尔树事件数", "Merkle tree of events"},
		"log_checking":         {"正在核对日志与签名检查点", "Checking the log against its signed checkpoints"},
		"log_rewritten":        {"日志与签名检查点不符，系统已转为只读", "The log does not match its signed checkpoint; the server is read-only"},
		"pick_compound":        {"请选择小区。", "Pick a compound."},
		"explain":              {"指标明细", "Figures explained"},
		"command":              {"登记业务", "Record"},
		"import":               {"小区导入", "Import compounds"},
		"import_intro":         {"按模板填写小区登记表（每行一个小区），上传后逐行检查；有误的行未修正时不导入任何数据。同一文件重复导入不会重复登记。", "Fill in the template (one compound a row) and upload it: every row is checked; while a row is bad nothing is imported. Importing the same file again records nothing new."},
		"import_file":          {"登记表文件（.xlsx 或 .csv）", "Register file (.xlsx or .csv)"},
		"template_download":    {"下载模板", "Download the template"},
		"dry_run":              {"仅检查，不导入", "Check only, import nothing"},
		"skip_bad":             {"跳过有误的行，导入其余各行", "Skip the bad rows, import the others"},
		"import_result":        {"导入结果", "Result"},
		"new_rows":             {"待导入", "To import"},
		"unchanged":            {"此前已导入", "Imported before"},
		"bad_rows":             {"有误", "Bad"},
		"imported":             {"已导入", "Imported"},
		"checked_only":         {"仅检查，未导入", "checked only, nothing imported"},
		"nothing_imported":     {"有误的行未修正，未导入任何数据", "bad rows: nothing was imported"},
	},
	Field: {
		"complaint_id":      {"工单号", "Work order number"},
		"channel":           {"渠道", "Channel"},
		"kind":              {"类型", "Kind"},
		"category":          {"类别", "Category"},
		"urgent":            {"紧急件", "Urgent"},
		"summary":           {"诉求内容", "Summary"},
		"complainant_name":  {"诉求人姓名", "Complainant's name"},
		"complainant_phone": {"联系电话", "Complainant's phone"},
		"id_number":         {"身份证号", "ID number"},
		"unit":              {"承办单位", "Handling unit"},
		"reason":            {"原因", "Reason"},
		"note":              {"备注", "Note"},
		"due":               {"期限", "Due"},
		"dispatch_due":      {"派单时限", "Dispatch due"},
		"reply_due":         {"办结时限", "Reply due"},
		"follow_up_due":     {"回访时限", "Follow-up due"},
		"at":                {"时间", "Time"},
		"occurred_at":       {"业务时间（补录纸质记录时填写）", "Business time (for paper records)"},
		"name":              {"名称", "Name"},
		"id":                {"编号", "ID"},
		"deadline":          {"期限", "Deadline"},
		"authority":         {"督办单位", "Supervising authority"},
		"listing_id":        {"督办编号", "Listing ID"},
		"measure_id":        {"措施编号", "Measure ID"},
		"lawsuit_id":        {"案号", "Case number"},
		"candidate_id":      {"候选人编号", "Candidate ID"},
		"members":           {"成员", "Members"},
		"chair":             {"主任", "Chair"},
		"passed":            {"通过", "Passed"},
		"satisfaction":      {"满意度", "Satisfaction"},
		"solved":            {"是否解决", "Solved"},
		"company":           {"物业企业", "Company"},
		"percent":           {"进度（%）", "Progress (%)"},
		"verifier":          {"验收人", "Verifier"},
		"new_deadline":      {"新期限", "New deadline"},
		"granted":           {"批准", "Granted"},
		"description":       {"描述", "Description"},
		"responsible_unit":  {"责任单位", "Responsible unit"},
		"term":              {"期限类别", "Term"},
		"problem_id":        {"问题编号", "Problem ID"},
		"plaintiff":         {"原告", "Plaintiff"},
		"defendant":         {"被告", "Defendant"},
		"cause":             {"案由", "Cause"},
		"amount_fen":        {"标的额（分）", "Amount (fen)"},
		"company_side":      {"物业企业一方", "Company's side"},
		"outcome":           {"结果", "Outcome"},
		"prevailing":        {"胜诉方", "Prevailing side"},
		"district":          {"区", "District"},
		"street":            {"街道", "Street"},
		"community":         {"社区", "Community"},
		"households":        {"户数", "Households"},
		"private_area":      {"专有部分面积", "Private area"},
		"delivered_area":    {"交付面积", "Delivered area"},
		"property_company":  {"物业企业", "Property company"},
		"compound_id":       {"小区编号", "Compound ID"},
		"grid":              {"网格", "Grid"},
		"latitude":          {"纬度", "Latitude"},
		"longitude":         {"经度", "Longitude"},
		"registered_on":     {"登记日期", "Registered on"},
	},
	Column: {"rank": {"排名", "Rank"}, "unit": {"单位", "Unit"}, "score": {"综合得分", "Score"}, "list": {"红黑榜", "List"},
		"id": {"编号", "ID"}, "district": {"区", "District"}, "street": {"街道", "Street"}, "community": {"社区", "Community"},
		"name":   {"名称", "Name"},
		"rising": {"信访诉讼上升（只降不升预警）", "Petitions and suits rising (must not rise)"},
		"yes":    {"是", "Yes"}, "no": {"否", "No"},
		"row": {"行号", "Row"}, "column": {"列", "Column"}, "value": {"内容", "Value"}, "rule": {"规则", "Rule"},
		"reason": {"原因", "Reason"}},
}
