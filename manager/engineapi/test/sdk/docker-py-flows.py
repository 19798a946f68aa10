# The swarm flows of the Docker SDK for Python (docker-py), run against shoal's API by
# docker-sdk.integration.test.ts: prints what it saw as one JSON line.
import json, sys
import docker
from docker import types

c = docker.DockerClient(base_url=sys.argv[1], version='auto')
out = {}
c.swarm.reload()
out['swarm'] = bool(c.swarm.attrs.get('ID'))
out['info_swarm'] = c.info()['Swarm']['LocalNodeState']
net = c.networks.create('sdknet', driver='overlay', attachable=True, labels={'sdk': '1'})
out['net'] = [net.attrs['Driver'], net.attrs['Scope'], net.attrs['Attachable']]
sec = c.secrets.create(name='sdk-secret', data=b'pw-sdk', labels={'a': 'b'})
cfg = c.configs.create(name='sdk-config', data=b'cfg-sdk')
svc = c.services.create(
    'busybox:latest', command=['sleep', '1000'], name='sdk-web',
    mode=types.ServiceMode('replicated', replicas=2), networks=['sdknet'],
    secrets=[types.SecretReference(sec.id, 'sdk-secret', filename='db', mode=0o400)],
    configs=[types.ConfigReference(cfg.id, 'sdk-config', filename='/etc/app.conf')],
    labels={'team': 'x'}, env=['A=1'],
    update_config=types.UpdateConfig(parallelism=1, delay=5_000_000_000, order='start-first'),
    restart_policy=types.RestartPolicy(condition='on-failure', delay=1_000_000_000, max_attempts=3),
    endpoint_spec=types.EndpointSpec(ports={8080: 80}),
)
svc.reload()
spec = svc.attrs['Spec']
out['created'] = [spec['Name'], spec['Mode']['Replicated']['Replicas'], spec['Labels'],
                  spec['UpdateConfig']['Delay'], spec['TaskTemplate']['RestartPolicy'],
                  spec['TaskTemplate']['ContainerSpec']['Secrets'][0]['File']['Name'],
                  spec['EndpointSpec']['Ports'][0]['PublishedPort']]
svc.scale(4)
svc.reload()
out['scaled'] = svc.attrs['Spec']['Mode']['Replicated']['Replicas']
svc.update(env=['A=2'])
svc.reload()
out['updated_env'] = svc.attrs['Spec']['TaskTemplate']['ContainerSpec']['Env']
out['services'] = sorted(s.name for s in c.services.list())
out['filtered'] = [s.name for s in c.services.list(filters={'label': 'team=x'})]
out['nodes'] = [n.attrs['Spec']['Role'] for n in c.nodes.list()]
node = c.nodes.list()[0]
node.update({'Availability': 'active', 'Role': 'manager', 'Labels': {'zone': 'a'}})
node.reload()
out['node_labels'] = node.attrs['Spec']['Labels']
# Job modes: docker-py 6+ has ServiceMode('replicated-job'); 5.x (Debian 12's) sends a mode
# given as a dict as it is. The dict works with both.
created = c.api.create_service(
    types.TaskTemplate(types.ContainerSpec('busybox:latest', command=['true'])),
    name='sdk-job', mode={'ReplicatedJob': {'MaxConcurrent': 1, 'TotalCompletions': 2}})
job = c.services.get(created['ID'])
out['job'] = list(job.attrs['Spec']['Mode'].keys())
out['secrets'] = [s.name for s in c.secrets.list()]
out['configs'] = [x.name for x in c.configs.list()]
svc.remove()
job.remove()
sec.remove()
cfg.remove()
net.remove()
out['after'] = [len(c.services.list()), len(c.secrets.list()), len(c.configs.list()),
                [n.name for n in c.networks.list() if n.name == 'sdknet']]
c.swarm.update(rotate_worker_token=True)
out['tokens'] = bool(c.swarm.attrs['JoinTokens']['Worker'])
print(json.dumps(out))
