package domain

// conflictState is the conflict-compound flag (stub).
type conflictState struct{}

// plan is the compound's 一区一策 plan (stub).
type plan struct{}

// listing is a supervision listing (stub).
type listing struct{}

// PlanRules are the limits of plans and supervision listings (stub).
type PlanRules struct{}

func defaultPlanRules() PlanRules { return PlanRules{} }
