package spec

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/wardhq/ward/generator/plan"
)

// pendingRef is a reference field whose to: names a resource, resolved
// once its resource is loaded (refTargets).
type pendingRef struct {
	f  *plan.Field
	at *yaml.Node // the to: value
}

// fieldRef reads to: and on_delete: of a reference field. The target is
// resolved by refTargets, when the resources before it are known.
func (l *loader) fieldRef(fl *fieldLoad) {
	f, d := fl.f, &fl.d
	if f.Type != plan.Reference {
		return
	}
	if d.To == nil {
		l.errAt(keyNode(fl.v, "type"), "add to: <resource>, the resource whose objects it names, e.g. to: categories", "%s is a reference without to:", fl.what)
		fl.good = false
	} else if to, ok := l.str(d.To, "to"); ok {
		f.To = to
		l.refs = append(l.refs, pendingRef{f: f, at: d.To})
	} else {
		fl.good = false
	}
	f.OnDelete = plan.OnDeleteProtect
	if d.OnDelete != nil {
		var how string
		l.enum(d.OnDelete, "on_delete", []string{plan.OnDeleteProtect, plan.OnDeleteCascade, plan.OnDeleteSetNull}, &how)
		if how == "" {
			fl.good = false
			return
		}
		f.OnDelete = how
	}
	if f.OnDelete == plan.OnDeleteSetNull && !f.Nullable {
		l.errAt(d.OnDelete, "use on_delete: protect or cascade, or make the field optional (no required:)", "on_delete: set_null needs a nullable field, and %s is required", fl.what)
		fl.good = false
	}
}

// refTargets resolves the to: of the reference fields of r, which is
// loaded: each must name r itself or a resource declared before it whose
// table Ward stores (so tables are created in spec order, targets first).
func (l *loader) refTargets(r *plan.Resource) {
	declared := map[string]*plan.Resource{r.Name: r}
	var names []string
	for _, o := range l.svc.Resources {
		declared[o.Name] = o
		names = append(names, o.Name)
	}
	for _, p := range l.refs {
		t, ok := declared[p.f.To]
		switch {
		case !ok && l.declaredLater(p.f.To):
			l.errAt(p.at, fmt.Sprintf("declare %s before %s in resources", p.f.To, r.Name), "reference to %q, which is declared after %q", p.f.To, r.Name)
		case !ok && l.loadedBroken(p.f.To):
			// Declared before with an error, reported already.
		case !ok:
			hint := "name a resource of this spec"
			if near := nearest(p.f.To, append(names, r.Name)); near != "" {
				hint = fmt.Sprintf("did you mean %q?", near)
			}
			l.errAt(p.at, hint, "reference to unknown resource %q", p.f.To)
		case t.Source != "":
			l.errAt(p.at, "use type: user for a reference to a user", "reference to %q, a view of the %s store, not a table", p.f.To, t.Source)
		default:
			p.f.ToTable = t.Table
		}
	}
}

// declaredLater says whether name is a key of resources: that is not
// loaded yet.
func (l *loader) declaredLater(name string) bool { return l.resourceKeys[name] }

// loadedBroken says whether name is a resource declared before that did
// not load (its errors are reported).
func (l *loader) loadedBroken(name string) bool {
	later, ok := l.resourceKeys[name]
	return ok && !later
}
