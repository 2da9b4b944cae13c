package domain

// complaint is one complaint's state (stub, filled in by the complaints work).
type complaint struct{}

// ComplaintRules are the time limits of complaint handling.
type ComplaintRules struct{}

func defaultComplaintRules() ComplaintRules { return ComplaintRules{} }
