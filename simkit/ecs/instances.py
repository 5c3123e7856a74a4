"""Instance types and instances: DescribeInstanceTypes, RunInstances (each instance with its
primary ENI and primary IP), StartInstance, StopInstance, DeleteInstance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simkit.catalog import IpLimitsUnknown, UnknownInstanceType
from simkit.ecs import requests as rq
from simkit.ecs.addresses import check_room, claim_singles, count_addresses, release_all
from simkit.ecs.paging import check_range, token_page
from simkit.ecs.resources import Eni, Instance
from simkit.ecs.results import Page
from simkit.ecs.states import EniStatus, EniType, InstanceStatus, VSwitchStatus
from simkit.errors import api_error
from simkit.net import SpaceExhausted

if TYPE_CHECKING:
    from simkit.ecs.account import Account

__all__ = ["InstanceOperations"]

_RUN_AMOUNT = (1, 100)


class InstanceOperations:
    """The instance APIs on the account's state; start and stop take simulated time."""

    def __init__(self, account: "Account"):
        self.account = account

    def describe_instance_types(self, r: rq.DescribeInstanceTypes) -> Page:
        """A NextToken page of ``InstanceType``. Raises InvalidParameter."""
        check_range("MaxResults", r.max_results, 1, 1600)
        if r.instance_types and len(r.instance_types) > 10:
            raise api_error("InvalidParameter", "InstanceTypes.N", "at most 10 instance types (N is 1-10)")
        wanted = set(r.instance_types or ())
        found = [
            t for t in self.account.catalog
            if (not wanted or t.name in wanted) and (r.instance_type_family is None or t.family == r.instance_type_family)
        ]
        return token_page(found, r.next_token, r.max_results)

    def run_instances(self, r: rq.RunInstances) -> list[Instance]:
        """``amount`` instances, each with a primary ENI (InUse) holding a primary IP; Pending,
        then Running after settings.instance_start_seconds.

        Raises InvalidParam.Amount, InvalidInstanceType.ValueNotSupported, InvalidVSwitchId.NotFound,
        InvalidParameter.Mismatch, InvalidVSwitch.IllegalStatus, MissingParameter, the security
        group codes, QuotaExceeded.PrivateIpAddress, and the named-address refusals.
        """
        account = self.account
        region = account.region(r.region_id)
        amount = r.amount
        if not _RUN_AMOUNT[0] <= amount <= _RUN_AMOUNT[1]:
            raise api_error("InvalidParam.Amount", amount)
        try:
            itype = account.catalog.require_ip_limits(r.instance_type)
        except (UnknownInstanceType, IpLimitsUnknown) as exc:
            raise api_error("InvalidInstanceType.ValueNotSupported", r.instance_type, str(exc)) from None
        vsw = region.vswitch(r.vswitch_id)
        if r.zone_id is not None and r.zone_id != vsw.zone_id:
            raise api_error("InvalidParameter.Mismatch", "ZoneId", f"vSwitch {vsw.id} is in {vsw.zone_id}, not {r.zone_id}")
        if vsw.status is not VSwitchStatus.AVAILABLE:
            raise api_error("InvalidVSwitch.IllegalStatus", vsw.status)
        sg_ids = ([r.security_group_id] if r.security_group_id else []) + list(r.security_group_ids or ())
        if not sg_ids:
            raise api_error("MissingParameter", "SecurityGroupId")
        groups = region.joinable_security_groups(sg_ids, vsw.vpc_id, amount, account.settings,
                                                 mismatch="InvalidParameter.Mismatch")
        if r.private_ip_address is not None and amount != 1:
            raise api_error("InvalidParameter", "PrivateIpAddress", "a private IP can be named only when Amount is 1")
        meters = (*groups, region.vpcs[vsw.vpc_id])
        check_room(meters, amount)  # each primary ENI's primary IP
        if r.private_ip_address is not None:
            claim_singles(vsw, [r.private_ip_address], None)
            ips = [r.private_ip_address]
        else:
            try:
                ips = vsw.space.allocate(amount)
            except SpaceExhausted as exc:
                raise api_error("QuotaExceeded.PrivateIpAddress", f"vSwitch {vsw.id}", amount, exc.available) from None
        instances = []
        now = account.now
        start = account.settings.instance_start_seconds
        for ip in ips:
            inst = Instance(account.new_id("i"), r.region_id, vsw.zone_id, vsw.vpc_id, vsw.id, itype, r.instance_name, now, sg_ids)
            eni = Eni(account.new_id("eni"), r.region_id, vsw.id, vsw.vpc_id, vsw.zone_id, EniType.PRIMARY, ip, sg_ids,
                      account.new_mac(), "", "", now)
            eni.status = EniStatus.IN_USE
            eni.instance_id = inst.id
            eni.meters = meters
            inst.eni_ids.append(eni.id)
            region.instances[inst.id] = inst
            region.enis[eni.id] = eni
            vsw.eni_count += 1
            instances.append(inst)
            account.later(start, _set_status, (inst, InstanceStatus.RUNNING, inst.operation))
        for sg in groups:
            sg.members += amount
        count_addresses(meters, amount)
        return instances

    def start_instance(self, r: rq.StartInstance) -> None:
        """Stopped -> Starting -> Running. Raises InvalidInstanceId.NotFound, IncorrectInstanceStatus."""
        self._move(r, "StartInstance", InstanceStatus.STOPPED, InstanceStatus.STARTING, InstanceStatus.RUNNING,
                   self.account.settings.instance_start_seconds)

    def stop_instance(self, r: rq.StopInstance) -> None:
        """Running -> Stopping -> Stopped. Raises InvalidInstanceId.NotFound, IncorrectInstanceStatus."""
        self._move(r, "StopInstance", InstanceStatus.RUNNING, InstanceStatus.STOPPING, InstanceStatus.STOPPED,
                   self.account.settings.instance_stop_seconds)

    def _move(self, r: rq.StartInstance | rq.StopInstance, action: str, needs: InstanceStatus, meanwhile: InstanceStatus,
              then: InstanceStatus, seconds: float) -> None:
        account = self.account
        inst = account.region(r.region_id).instance(r.instance_id)
        if inst.status is not needs:
            raise api_error("IncorrectInstanceStatus", inst.id, f"{inst.status}; {action} needs {needs}")
        inst.status = meanwhile
        inst.operation += 1
        account.later(seconds, _set_status, (inst, then, inst.operation))

    def delete_instance(self, r: rq.DeleteInstance) -> None:
        """Delete a Stopped instance (any, with Force): its primary ENI and addresses go with it.
        Raises InvalidInstanceId.NotFound, IncorrectInstanceStatus."""
        region = self.account.region(r.region_id)
        inst = region.instance(r.instance_id)
        if inst.status is not InstanceStatus.STOPPED and not r.force:
            raise api_error("IncorrectInstanceStatus", inst.id, f"{inst.status}; DeleteInstance needs Stopped, or Force=true")
        for eni_id in inst.eni_ids:
            eni = region.enis[eni_id]
            if eni.type is EniType.PRIMARY:
                release_all(region, eni)
                del region.enis[eni.id]
                region.vswitches[eni.vswitch_id].eni_count -= 1
            else:
                # Secondary ENIs outlive the instance: simkit detaches them at once, attached,
                # attaching or detaching alike, and voids their pending attach or detach (a
                # documented choice: the sources do not say).
                eni.status = EniStatus.AVAILABLE
                eni.instance_id = None
                eni.operation += 1
        for sg_id in inst.security_group_ids:
            region.security_groups[sg_id].members -= 1
        inst.status = InstanceStatus.DELETED
        inst.operation += 1  # a pending start or stop completes nothing now
        del region.instances[inst.id]


def _set_status(change: tuple[Instance, InstanceStatus, int]) -> None:
    inst, status, operation = change
    if inst.operation == operation:  # no other start, stop or delete since
        inst.status = status
