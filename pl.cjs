const pl=require('nodejs-polars');
const N=1000,D=1024; const f=new Float32Array(N*D); for(let i=0;i<f.length;i++) f[i]=Math.random();
const s = pl.Series('v', f);
console.log(typeof s.reshape, typeof pl.col('v').arr, typeof pl.Array, Object.keys(pl.DataType||{}).slice(0,50).join(','));
try { const r=s.reshape([-1,D]); console.log('series reshape', r.dtype.toString(), r.length); } catch(e){console.log('E1',e.message)}
try { const t=pl.Array ? pl.Array(pl.Float32, D) : pl.DataType.Array(pl.Float32,D); console.log(String(t)); } catch(e){console.log('E2',e.message)}
