package domain

// CompoundView is the current state of a compound as the API shows it.
type CompoundView struct {
	ID        string        `json:"id"`
	Version   uint64        `json:"version"`
	Profile   Profile       `json:"profile"`
	Party     PartyBuilding `json:"party"`
	Committee CommitteeView `json:"committee"`
	Alerts    []Alert       `json:"alerts"`
}

// View returns the compound's state for readers.
func (c *Compound) View() CompoundView {
	return CompoundView{ID: c.id, Version: c.version, Profile: c.profile, Party: c.party,
		Committee: c.Committee(), Alerts: c.Alerts()}
}
