# The VM test's first step (run.sh runs it like a scenario, with lib.sh):
# taskmaster installed from the read-only checkout the way a user does it,
# and its unit started. Delegate=yes comes from a drop-in until the unit in
# packaging/ has it (then the drop-in changes nothing).
set -eu
make -C /src install
mkdir -p /etc/systemd/system/$SERVICE.service.d
printf '[Service]\nDelegate=yes\n' >/etc/systemd/system/$SERVICE.service.d/vm-delegate.conf
cp /src/test/vm/config/taskmaster.yaml /etc/taskmaster/taskmaster.yaml
systemctl daemon-reload
timeout 120 systemctl start $SERVICE
systemctl --no-pager status $SERVICE
