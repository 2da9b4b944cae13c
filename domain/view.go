package domain

// CompoundView is the current state of a compound as the API shows it.
type CompoundView struct {
	ID         string             `json:"id"`
	Version    uint64             `json:"version"`
	Profile    Profile            `json:"profile"`
	Party      PartyBuilding      `json:"party"`
	Committee  CommitteeView      `json:"committee"`
	Complaints []ComplaintView    `json:"complaints"`
	Lawsuits   []LawsuitView      `json:"lawsuits"`
	Conflict   ConflictView       `json:"conflict"`
	Plan       *PlanView          `json:"plan,omitempty"`
	Listing    *ListingView       `json:"listing,omitempty"`
	Alerts     []Alert            `json:"alerts"`
	Votes      []AssemblyVoteHeld `json:"votes"` // assemblies held, each with its outcome per axis
}

// View returns the compound's state for readers.
func (c *Compound) View() CompoundView {
	v := CompoundView{ID: c.id, Version: c.version, Profile: c.profile, Party: c.party,
		Committee: c.Committee(), Complaints: c.Complaints(), Lawsuits: c.Lawsuits(), Conflict: c.Conflict(), Alerts: c.Alerts(),
		Votes: c.Votes()}
	if p, ok := c.Plan(); ok {
		v.Plan = &p
	}
	if l, ok := c.Listing(); ok {
		v.Listing = &l
	}
	return v
}
