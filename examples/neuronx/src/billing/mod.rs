pub fn charge() {}
