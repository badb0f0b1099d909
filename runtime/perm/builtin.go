package perm

// The built-in classes are zero-size: use them as perm.IsAuthenticated[Post]{}.
// Their object checks are true, as DRF's BasePermission: they say nothing
// about single objects. Or still cannot give an object away through them,
// because Or's object check requires each branch's request check too.

// AllowAny allows every request and every object.
type AllowAny[T any] struct{}

// IsAuthenticated allows active users.
type IsAuthenticated[T any] struct{}

// IsAdminUser allows active staff users.
type IsAdminUser[T any] struct{}

// IsAuthenticatedOrReadOnly allows safe methods (GET, HEAD, OPTIONS) to
// everyone and other methods to active users.
type IsAuthenticatedOrReadOnly[T any] struct{}

// ReadOnly allows safe methods (GET, HEAD, OPTIONS) only. It is the
// read-only branch of rules such as IsOwnerOrReadOnly =
// Or(ReadOnly, owner rule).
type ReadOnly[T any] struct{}

// DjangoModelPermissions requires an active user holding the model
// permission of the action on the resource: list and retrieve need
// "<Resource>.view", create "<Resource>.add", update and partial_update
// "<Resource>.change", destroy "<Resource>.delete"; metadata (OPTIONS) needs
// none beyond authentication, as in DRF. Any other action, or an empty
// Resource, denies.
type DjangoModelPermissions[T any] struct{}

func ok(b bool) (result, error) {
	if b {
		return result{ok: true}, nil
	}
	return result{}, nil
}

var allowed = result{ok: true}

// HasPermission is always true.
func (AllowAny[T]) HasPermission(*Request) (bool, error) { return true, nil }

// HasObjectPermission is always true.
func (AllowAny[T]) HasObjectPermission(*Request, *T) (bool, error) { return true, nil }
func (AllowAny[T]) evalPerm(*Request) (result, error)              { return allowed, nil }
func (AllowAny[T]) evalObj(*Request, *T) (result, error)           { return allowed, nil }

// HasPermission reports whether the caller is an active user.
func (IsAuthenticated[T]) HasPermission(r *Request) (bool, error) { return r.Authenticated(), nil }

// HasObjectPermission is always true.
func (IsAuthenticated[T]) HasObjectPermission(*Request, *T) (bool, error) { return true, nil }
func (IsAuthenticated[T]) evalPerm(r *Request) (result, error)            { return ok(r.Authenticated()) }
func (IsAuthenticated[T]) evalObj(*Request, *T) (result, error)           { return allowed, nil }

func isAdmin(r *Request) bool { return r.Authenticated() && r.User.IsStaff }

// HasPermission reports whether the caller is an active staff user.
func (IsAdminUser[T]) HasPermission(r *Request) (bool, error) { return isAdmin(r), nil }

// HasObjectPermission is always true.
func (IsAdminUser[T]) HasObjectPermission(*Request, *T) (bool, error) { return true, nil }
func (IsAdminUser[T]) evalPerm(r *Request) (result, error)            { return ok(isAdmin(r)) }
func (IsAdminUser[T]) evalObj(*Request, *T) (result, error)           { return allowed, nil }

func authOrRO(r *Request) bool { return r.SafeMethod() || r.Authenticated() }

// HasPermission reports whether the method is safe or the caller is an
// active user.
func (IsAuthenticatedOrReadOnly[T]) HasPermission(r *Request) (bool, error) {
	return authOrRO(r), nil
}

// HasObjectPermission is always true.
func (IsAuthenticatedOrReadOnly[T]) HasObjectPermission(*Request, *T) (bool, error) {
	return true, nil
}
func (IsAuthenticatedOrReadOnly[T]) evalPerm(r *Request) (result, error)  { return ok(authOrRO(r)) }
func (IsAuthenticatedOrReadOnly[T]) evalObj(*Request, *T) (result, error) { return allowed, nil }

// HasPermission reports whether the method is safe.
func (ReadOnly[T]) HasPermission(r *Request) (bool, error) { return r.SafeMethod(), nil }

// HasObjectPermission is always true.
func (ReadOnly[T]) HasObjectPermission(*Request, *T) (bool, error) { return true, nil }
func (ReadOnly[T]) evalPerm(r *Request) (result, error)            { return ok(r.SafeMethod()) }
func (ReadOnly[T]) evalObj(*Request, *T) (result, error)           { return allowed, nil }

// ModelPerm returns the model permission codename an action needs ("view",
// "add", "change", "delete"), "" for metadata (none needed), and false for
// an unknown action.
func ModelPerm(action string) (string, bool) {
	switch action {
	case ActionList, ActionRetrieve:
		return "view", true
	case ActionCreate:
		return "add", true
	case ActionUpdate, ActionPartialUpdate:
		return "change", true
	case ActionDestroy:
		return "delete", true
	case ActionMetadata:
		return "", true
	}
	return "", false
}

func modelPerm(r *Request) bool {
	if !r.Authenticated() || r.Resource == "" {
		return false
	}
	code, known := ModelPerm(r.Action)
	if !known {
		return false
	}
	if code == "" {
		return true
	}
	// r.User.HasPerm(r.Resource + "." + code), without building the string.
	res := r.Resource
	for _, p := range r.User.Perms {
		if len(p) == len(res)+1+len(code) && p[len(res)] == '.' && p[:len(res)] == res && p[len(res)+1:] == code {
			return true
		}
	}
	return false
}

// HasPermission reports whether the caller holds the action's model
// permission on the resource.
func (DjangoModelPermissions[T]) HasPermission(r *Request) (bool, error) { return modelPerm(r), nil }

// HasObjectPermission is always true (object-level model permissions are
// not part of this class).
func (DjangoModelPermissions[T]) HasObjectPermission(*Request, *T) (bool, error) { return true, nil }
func (DjangoModelPermissions[T]) evalPerm(r *Request) (result, error)            { return ok(modelPerm(r)) }
func (DjangoModelPermissions[T]) evalObj(*Request, *T) (result, error)           { return allowed, nil }
